import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import type { StatusEvent, TaskEvent } from '../../../jobs/events/task-events'
import { datasetWithRows } from '../../support/datasets'
import { createHarness, type Harness, taskEnded, waitFor } from '../../support/harness'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(30_000)

/** A dataset whose key `k` is unique: a group-by on it makes one group per row. */
const uniqueKeys = (rows: number) => {
  let csv = 'k,v,w\n'
  for (let i = 0; i < rows; i++) csv += `${i},${(i * 0.37) % 101},${(i * 7) % 13}\n`
  return csv
}

const groupby = (maxGroups?: number) => ({
  kind: 'groupby',
  params: {
    by: ['k'],
    aggregations: [
      { column: 'v', fn: 'mean' },
      { column: 'w', fn: 'sum' },
    ],
    ...(maxGroups !== undefined && { max_groups: maxGroups }),
  },
})

const tooManyGroups = (max: number) =>
  `the group-by makes more than ${max} groups (max_groups); group by fewer or coarser columns, or raise max_groups (at most 1000000)`

let h: Harness
/** 10,000 unique keys: as many groups as a group-by makes by default. */
let unique: string

beforeAll(async () => {
  h = await createHarness()
  await h.startWorker()
  unique = (await h.request('POST', '/api/datasets', { json: { name: 'unique', csv: uniqueKeys(10_000) } })).body.id
})
afterAll(() => h.close())

const submit = async (datasetId: string, body: unknown) => {
  const res = await h.request('POST', `/api/datasets/${datasetId}/process`, { json: body })
  expect(res.status).toBe(202)
  return res.body.id as string
}

describe('task lists leave results out', () => {
  test('GET /api/tasks carries every field but result; GET /api/tasks/{id} carries the result', async () => {
    const id = await submit(unique, groupby())
    const one = await taskEnded(h, id)
    expect(one.status).toBe('completed')
    expect(one.result.rows).toHaveLength(10_000)
    const listed = (await h.request('GET', `/api/tasks?dataset_id=${unique}`)).body.data.find(
      (t: { id: string }) => t.id === id,
    )
    const { result: _result, ...rest } = one
    expect(listed).toEqual(rest)
    expect(Object.keys(listed).sort()).toEqual(
      [
        'id',
        'dataset_id',
        'kind',
        'params',
        'status',
        'progress',
        'stage',
        'error',
        'attempts',
        'created_at',
        'started_at',
        'finished_at',
      ].sort(),
    )
  })

  test('a page of ten stays small whatever its results weigh: ten group-bys of a unique key', async () => {
    const dataset = (await h.request('POST', '/api/datasets', { json: { name: 'ten', csv: uniqueKeys(10_000) } })).body
      .id
    const ids = []
    for (let i = 0; i < 10; i++) ids.push(await submit(dataset, groupby()))
    for (const id of ids) expect((await taskEnded(h, id)).status).toBe('completed')
    const one = await h.request('GET', `/api/tasks/${ids[0]}`)
    expect(one.text.length).toBeGreaterThan(300_000)
    const page = await h.request('GET', `/api/tasks?dataset_id=${dataset}&limit=10`)
    expect(page.body.data).toHaveLength(10)
    expect(page.text.length).toBeLessThan(10_000)
  })

  test('the OpenAPI document says that list items have no result', async () => {
    const spec = (await h.request('GET', '/swagger/json')).body
    const list = spec.paths['/api/tasks'].get
    const item = list.responses['200'].content['application/json'].schema.properties.data.items
    expect(Object.keys(item.properties)).not.toContain('result')
    expect(item.description).toContain('without its `result`')
    expect(list.description).toContain('every field but `result`')
    const single = spec.paths['/api/tasks/{id}'].get.responses['200'].content['application/json'].schema
    expect(Object.keys(single.properties)).toContain('result')
  })

  test('a list does not even read the result column', async () => {
    const other = await createHarness()
    try {
      const dataset = await datasetWithRows(other)
      expect((await other.request('POST', `/api/datasets/${dataset}/process`)).status).toBe(202)
      await other.db.$client`alter table tasks rename column result to result_elsewhere`
      const page = await other.request('GET', '/api/tasks')
      expect(page.status).toBe(200)
      expect(page.body.data).toHaveLength(1)
    } finally {
      await other.close()
    }
  })
})

describe('group-by max_groups', () => {
  test('is checked at submit: an integer from 1 to 1,000,000, 10,000 unless given', async () => {
    for (const bad of [0, 1_000_001, 1.5, 'many']) {
      const res = await h.request('POST', `/api/datasets/${unique}/process`, { json: groupby(bad as number) })
      expect(res.status).toBe(422)
      expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.params.max_groups'])
    }
    const task = (await h.request('POST', `/api/datasets/${unique}/process`, { json: groupby() })).body
    expect(task.params.max_groups).toBe(10_000)
  })

  test('an analysis that would make more groups fails at once, saying so', async () => {
    const more = (await h.request('POST', '/api/datasets', { json: { name: 'more', csv: uniqueKeys(20_000) } })).body.id
    const id = await submit(more, groupby())
    expect(await taskEnded(h, id)).toMatchObject({
      status: 'failed',
      error: tooManyGroups(10_000),
      attempts: 1,
      result: null,
    })
    const exact = await submit(more, groupby(20_000))
    expect((await taskEnded(h, exact)).result.rows).toHaveLength(20_000)
  })

  test('holds in split runs too (parts taken by any thread, merged by the parent)', async () => {
    const split = await createHarness({ CHUNK_ROWS: '500', SPLIT_MIN_ROWS: '1000', SPLIT_PARTS: '4' })
    try {
      await split.startWorker()
      const dataset = (await split.request('POST', '/api/datasets', { json: { name: 's', csv: uniqueKeys(4000) } }))
        .body.id
      const run = async (maxGroups: number) => {
        const res = await split.request('POST', `/api/datasets/${dataset}/process`, { json: groupby(maxGroups) })
        return taskEnded(split, res.body.id)
      }
      // each of the four parts has 1,000 keys: 1,500 fails in the merge, 500 in every part
      for (const max of [1500, 500])
        expect(await run(max)).toMatchObject({ status: 'failed', error: tooManyGroups(max) })
      const whole = await run(4000)
      expect(whole.status).toBe('completed')
      expect(whole.result.rows).toHaveLength(4000)
    } finally {
      await split.close()
    }
  })
})

describe('results are bounded', () => {
  test('a result past MAX_RESULT_BYTES fails its task without retries and stores nothing', async () => {
    const small = await createHarness({ MAX_RESULT_BYTES: '65536' })
    try {
      await small.startWorker()
      const dataset = (await small.request('POST', '/api/datasets', { json: { name: 'u', csv: uniqueKeys(5000) } }))
        .body.id
      const submitted = await small.request('POST', `/api/datasets/${dataset}/process`, { json: groupby() })
      expect(await taskEnded(small, submitted.body.id)).toMatchObject({
        status: 'failed',
        attempts: 1,
        result: null,
        error:
          'the result would take more than 65536 bytes of JSON, the most a result may take (MAX_RESULT_BYTES); ask for less of it, e.g. fewer groups or columns',
      })
      const fits = await small.request('POST', `/api/datasets/${dataset}/process`, {
        json: { kind: 'histogram', params: { column: 'v' } },
      })
      expect((await taskEnded(small, fits.body.id)).status).toBe('completed')
    } finally {
      await small.close()
    }
  })

  test('the final event carries a result of at most 64 KiB; past it, it says result_omitted instead', async () => {
    const finals = new Map<string, StatusEvent>()
    const leave = h.events.listen({
      onEvent: (event: TaskEvent) => {
        if (event.type === 'status' && event.status === 'completed') finals.set(event.task_id, event)
      },
      onReset: () => {},
    })
    try {
      const light = await submit(unique, { kind: 'histogram', params: { column: 'v' } })
      const heavy = await submit(unique, groupby())
      const lightTask = await taskEnded(h, light)
      const heavyTask = await taskEnded(h, heavy)
      expect(JSON.stringify(heavyTask.result).length).toBeGreaterThan(64 * 1024)
      const [lightEvent, heavyEvent] = await Promise.all(
        [light, heavy].map(id => waitFor(async () => finals.get(id), 5000, `the final event of ${id}`)),
      )
      expect(lightEvent!.task?.result).toEqual(lightTask.result)
      expect(lightEvent!.result_omitted).toBeUndefined()
      expect(heavyEvent).toEqual({
        type: 'status',
        task_id: heavy,
        dataset_id: unique,
        status: 'completed',
        attempts: 1,
        result_omitted: true,
      })
    } finally {
      leave()
    }
  })
})
