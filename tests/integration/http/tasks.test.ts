import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { sql } from 'drizzle-orm'
import type { AnalysisWorkers } from '../../../jobs/worker/analysis-workers'
import mixed from '../../fixtures/mixed.json'
import { putData } from '../../support/datasets'
import { expectClose } from '../../support/expect-close'
import { createHarness, type Harness, taskEnded, waitFor } from '../../support/harness'
import { seedSynthetic } from '../../support/seed'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(30_000)

let h: Harness
let worker: AnalysisWorkers
let datasetId: string

beforeAll(async () => {
  h = await createHarness({ CHUNK_ROWS: '50' })
  worker = await h.startWorker()
  datasetId = (await h.request('POST', '/api/datasets', { json: { name: 'mixed', rows: mixed.rows } })).body.id
})
afterAll(() => h.close())

const count = async (query: string) => {
  const [row] = await h.db.execute<{ n: number }>(sql.raw(query))
  return row!.n
}

const finished = (taskId: string) => taskEnded(h, taskId)

describe('POST /api/datasets/{id}/process', () => {
  test('after the data is replaced, analyses see the new data, in whichever thread kept the old', async () => {
    const csv = (values: number[]) => `v\n${values.join('\n')}\n`
    const id = (await h.request('POST', '/api/datasets', { json: { name: 'replaced' } })).body.id
    const profileOf = async () => {
      const task = (await h.request('POST', `/api/datasets/${id}/process`)).body
      return (await finished(task.id)).result.columns[0]
    }
    expect((await putData(h, id, csv([1, 2, 3, 4]), 'text/csv')).status).toBe(200)
    // enough runs for every thread of the worker to keep the first version
    for (let i = 0; i < 4; i++) expect(await profileOf()).toMatchObject({ min: 1, max: 4, mean: 2.5 })
    expect((await putData(h, id, csv([10, 20, 30, 40]), 'text/csv')).status).toBe(200)
    for (let i = 0; i < 4; i++) expect(await profileOf()).toMatchObject({ min: 10, max: 40, mean: 25 })
  })

  test('data replaced while a task runs: the task finishes on the data it started with', async () => {
    const id = await seedSynthetic(h.config.databaseUrl, 1_000_000, 32_768)
    const columns = ['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8']
    const submitted = await h.request('POST', `/api/datasets/${id}/process`, {
      json: { kind: 'correlation', params: { columns, method: 'spearman' } },
    })
    await waitFor(
      async () => (await h.request('GET', `/api/tasks/${submitted.body.id}`)).body.status === 'running',
      20_000,
      'the task to run',
    )
    const replaced = await putData(h, id, 'f1,f2\n1,2\n2,4\n3,1\n', 'text/csv')
    expect(replaced.status).toBe(200)
    expect(replaced.body.row_count).toBe(3)
    const versions = `select count(*)::int as n from dataset_versions where dataset_id = '${id}'`
    // The replace kept the version the task runs on: it was still running.
    expect(await count(versions)).toBe(2)

    const task = await finished(submitted.body.id)
    // All eight columns: the data it started with, since the new data has only two.
    expect(task).toMatchObject({ status: 'completed', error: null })
    expect(task.result.columns).toEqual(columns)
    expect(task.result.matrix).toHaveLength(8)
    // The next analysis sees the new data, and the old version is gone once nothing runs on it.
    const next = await finished(
      (
        await h.request('POST', `/api/datasets/${id}/process`, {
          json: { kind: 'correlation', params: { columns: ['f1', 'f2'], method: 'spearman' } },
        })
      ).body.id,
    )
    expect(next.result.matrix).toEqual([
      [1, -0.5],
      [-0.5, 1],
    ])
    expect((await putData(h, id, 'f1\n5\n', 'text/csv')).status).toBe(200)
    expect(await count(versions)).toBe(1)
  })

  test('runs a profile in a worker thread and stores the pandas-checked result', async () => {
    const res = await h.request('POST', `/api/datasets/${datasetId}/process`, { json: { kind: 'profile' } })
    expect(res.status).toBe(202)
    expect(res.headers.get('location')).toBe(`/api/tasks/${res.body.id}`)
    expect(res.body).toMatchObject({
      dataset_id: datasetId,
      kind: 'profile',
      status: 'pending',
      progress: 0,
      result: null,
      attempts: 0,
    })
    const task = await finished(res.body.id)
    expect(task).toMatchObject({ status: 'completed', progress: 100, error: null, attempts: 1 })
    expect(Date.parse(task.finished_at)).toBeGreaterThanOrEqual(Date.parse(task.started_at))
    expectClose(task.result, mixed.profile)
  })

  test('an empty body means a profile of every column', async () => {
    const res = await h.request('POST', `/api/datasets/${datasetId}/process`)
    expect(res.status).toBe(202)
    expect(res.body.kind).toBe('profile')
    const task = await finished(res.body.id)
    expect(task.result.columns.map((c: { name: string }) => c.name)).toEqual(Object.keys(mixed.types))
  })

  test('profiles only the columns asked for, in that order', async () => {
    const res = await h.request('POST', `/api/datasets/${datasetId}/process/`, {
      json: { params: { columns: ['cat', 'x'] } },
    })
    const task = await finished(res.body.id)
    expectClose(task.result, { row_count: 240, columns: [mixed.profile.columns[3], mixed.profile.columns[0]] })
  })

  test.each([
    [{ kind: 'nope' }, 'body.kind'],
    [{ kind: 'profile', params: { columns: ['x', 'missing'] } }, 'body.params.columns.1'],
    [{ kind: 'profile', params: { columns: 'x' } }, 'body.params.columns'],
    [{ kind: 'profile', params: { extra: true } }, 'body.params.extra'],
    [{ kind: 'profile', status: 'completed' }, 'body.status'],
  ])('refuses %j with 422 before anything is queued', async (json, path) => {
    const tasks = await count('select count(*)::int as n from tasks')
    const res = await h.request('POST', `/api/datasets/${datasetId}/process`, { json })
    expect(res.status).toBe(422)
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path)
    expect(await count('select count(*)::int as n from tasks')).toBe(tasks)
  })

  test('answers 409 for a dataset without data and 404 for an unknown one', async () => {
    const empty = (await h.request('POST', '/api/datasets', { json: { name: 'empty' } })).body.id
    const res = await h.request('POST', `/api/datasets/${empty}/process`, { json: {} })
    expect(res.status).toBe(409)
    expect(res.body.code).toBe('DATASET_EMPTY')
    expect((await h.request('POST', '/api/datasets/00000000-0000-4000-8000-000000000000/process')).status).toBe(404)
    expect((await h.request('POST', '/api/datasets/bad-id/process')).status).toBe(404)
  })
})

describe('failures', () => {
  test('a task whose data disappeared fails with the reason, without retrying', async () => {
    const { id } = (await h.request('POST', '/api/datasets', { json: { name: 'doomed', rows: [{ a: 1 }] } })).body
    const [version] = await h.db.execute<{ version: number }>(sql`select version from datasets where id = ${id}`)
    await worker.tasks.pause()
    const task = (await h.request('POST', `/api/datasets/${id}/process`)).body
    await h.db.execute(sql`delete from dataset_versions where dataset_id = ${id} and version = ${version!.version}`)
    worker.tasks.resume()
    const done = await finished(task.id)
    expect(done).toMatchObject({
      status: 'failed',
      error: 'the data this task was started on no longer exists',
      attempts: 1,
    })
  })

  test('a kernel that throws is retried with backoff, then fails with its reason; the worker keeps serving', async () => {
    const { id } = (await h.request('POST', '/api/datasets', { json: { name: 'corrupt', rows: [{ a: 1 }, { a: 2 }] } }))
      .body
    await h.db.execute(sql`update dataset_chunks set data = '\\x00010203'::bytea where dataset_id = ${id}`)
    const task = (await h.request('POST', `/api/datasets/${id}/process`)).body
    const done = await finished(task.id)
    expect(done.status).toBe('failed')
    expect(done.attempts).toBe(3)
    expect(typeof done.error).toBe('string')
    expect(done.error.length).toBeGreaterThan(0)
    expect(done.result).toBeNull()
    const next = (
      await h.request('POST', `/api/datasets/${datasetId}/process`, { json: { params: { columns: ['n'] } } })
    ).body
    expect((await finished(next.id)).status).toBe('completed')
  })
})

describe('reading tasks', () => {
  test('lists newest first, filters, and pages', async () => {
    const other = (await h.request('POST', '/api/datasets', { json: { name: 'other', rows: [{ v: 1 }] } })).body.id
    const mine = [] as string[]
    for (let i = 0; i < 3; i++) mine.push((await h.request('POST', `/api/datasets/${other}/process`)).body.id)
    const page1 = await h.request('GET', `/api/tasks?dataset_id=${other}&limit=2`)
    expect(page1.status).toBe(200)
    expect(page1.body.data.map((t: { id: string }) => t.id)).toEqual([mine[2], mine[1]])
    const page2 = await h.request('GET', `/api/tasks?dataset_id=${other}&limit=2&cursor=${page1.body.next_cursor}`)
    expect(page2.body).toMatchObject({ next_cursor: null })
    expect(page2.body.data.map((t: { id: string }) => t.id)).toEqual([mine[0]])
    await Promise.all(mine.map(finished))
    const completed = await h.request('GET', `/api/tasks?dataset_id=${other}&status=completed&kind=profile`)
    expect(completed.body.data).toHaveLength(3)
    expect((await h.request('GET', `/api/tasks?dataset_id=${other}&status=failed`)).body.data).toHaveLength(0)
    const bad = await h.request('GET', '/api/tasks?status=sleeping')
    expect(bad.status).toBe(422)
    expect(bad.body.errors).toEqual([
      { path: 'query.status', message: 'must be one of: pending, running, completed, failed, cancelled' },
    ])
  })

  test('GET and DELETE answer 404 for unknown and malformed ids', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'nope']) {
      expect((await h.request('GET', `/api/tasks/${id}`)).status).toBe(404)
      expect((await h.request('DELETE', `/api/tasks/${id}`)).status).toBe(404)
    }
  })

  test('DELETE removes a finished task', async () => {
    const task = (
      await h.request('POST', `/api/datasets/${datasetId}/process`, { json: { params: { columns: ['flag'] } } })
    ).body
    await finished(task.id)
    expect((await h.request('DELETE', `/api/tasks/${task.id}`)).status).toBe(204)
    expect((await h.request('GET', `/api/tasks/${task.id}`)).status).toBe(404)
  })

  test('deleting a dataset deletes its tasks and chunks', async () => {
    const { id } = (await h.request('POST', '/api/datasets', { json: { name: 'short-lived', rows: [{ a: 1 }] } })).body
    const task = (await h.request('POST', `/api/datasets/${id}/process`)).body
    await finished(task.id)
    expect((await h.request('DELETE', `/api/datasets/${id}`)).status).toBe(204)
    expect((await h.request('GET', `/api/tasks/${task.id}`)).status).toBe(404)
    expect(await count(`select count(*)::int as n from dataset_chunks where dataset_id = '${id}'`)).toBe(0)
    expect(await count(`select count(*)::int as n from tasks where dataset_id = '${id}'`)).toBe(0)
  })
})
