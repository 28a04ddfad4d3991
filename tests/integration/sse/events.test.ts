import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import type { AnalysisWorkers } from '../../../jobs/worker/analysis-workers'
import { bearer, createHarness, type Harness, waitFor } from '../../support/harness'
import { seedSynthetic } from '../../support/seed'
import { type SseFrame, SseReader } from '../../support/sse-client'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(30_000)

let h: Harness
let workers: AnalysisWorkers
let big: string
let small: string

const spearman = { kind: 'correlation', params: { method: 'spearman' } }

beforeAll(async () => {
  h = await createHarness({ SSE_HEARTBEAT_MS: '200', CHUNK_ROWS: '32768' })
  workers = await h.startWorker()
  big = await seedSynthetic(h.config.databaseUrl, 1_000_000, 32_768)
  small = (await h.request('POST', '/api/datasets', { json: { name: 'small', rows: [{ a: 1 }, { a: 2 }] } })).body.id
})
afterAll(() => h.close())

const open = (path: string, headers: Record<string, string> = {}, signal?: AbortSignal) =>
  h.app.handle(new Request(`http://localhost${path}`, { headers: { ...bearer(), ...headers }, signal }))

const submit = async (datasetId: string, body: unknown = {}) =>
  (await h.request('POST', `/api/datasets/${datasetId}/process`, { json: body })).body

const finished = (id: string) =>
  waitFor(async () => {
    const task = (await h.request('GET', `/api/tasks/${id}`)).body
    return ['completed', 'failed', 'cancelled'].includes(task.status) ? task : null
  })

const named = (frames: SseFrame[]) => frames.filter(f => f.event)

/** A long analysis of a big dataset, followed by a stream, once it runs. */
async function runningAndWatched(datasetId: string) {
  const task = await submit(datasetId, spearman)
  const reader = new SseReader(await open(`/api/tasks/${task.id}/events`))
  await waitFor(
    async () => (await h.request('GET', `/api/tasks/${task.id}`)).body.status === 'running',
    10_000,
    'running',
  )
  return { task, reader }
}

describe('GET /api/tasks/{id}/events', () => {
  test('streams snapshot, monotonic progress, status and the final task, with ids, then ends', async () => {
    const task = await submit(big)
    const res = await open(`/api/tasks/${task.id}/events`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    expect(res.headers.get('cache-control')).toBe('no-cache')
    expect(res.headers.get('x-accel-buffering')).toBe('no')
    expect(res.headers.get('content-encoding')).toBeNull()
    const frames = named(await new SseReader(res).rest(30_000))
    expect(frames[0]).toMatchObject({ id: '1', event: 'snapshot', data: { id: task.id } })
    expect(frames.map(f => Number(f.id))).toEqual(frames.map((_, i) => i + 1))
    const progress = frames.filter(f => f.event === 'progress').map(f => (f.data as { progress: number }).progress)
    expect(progress.length).toBeGreaterThan(1)
    expect(progress).toEqual([...progress].sort((a, b) => a - b))
    expect(frames.find(f => f.event === 'progress')?.data).toEqual({
      id: task.id,
      progress: expect.any(Number),
      stage: expect.any(String),
      rows_processed: expect.any(Number),
    })
    const last = frames.at(-1)!
    expect(last.event).toBe('completed')
    expect(last.data).toMatchObject({ id: task.id, status: 'completed', progress: 100 })
    expect((last.data as { result: { row_count: number } }).result.row_count).toBe(1_000_000)
    expect(frames.at(-2)).toMatchObject({ event: 'status', data: { id: task.id, status: 'completed' } })
    // the final task travels with the worker's event; it is the task as the api shows it
    expect(last.data).toEqual((await h.request('GET', `/api/tasks/${task.id}`)).body)
  })

  test('a result over 64 KiB of JSON stays out of events: the final event and the snapshot say so, and GET has it', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => ({ key: `key-${i}`, x: i / 7 }))
    const dataset = (await h.request('POST', '/api/datasets', { json: { name: 'wide groups', rows } })).body.id
    const task = await submit(dataset, {
      kind: 'groupby',
      params: { by: ['key'], aggregations: [{ column: 'x', fn: 'mean' }] },
    })
    const live = named(await new SseReader(await open(`/api/tasks/${task.id}/events`)).rest(30_000))
    const whole = (await h.request('GET', `/api/tasks/${task.id}`)).body
    expect(whole.result.rows).toHaveLength(3000)
    expect(JSON.stringify(whole.result).length).toBeGreaterThan(64 * 1024)
    const omitted = { ...whole, result: null, result_omitted: true }
    expect(live.at(-1)).toMatchObject({ event: 'completed', data: omitted })
    // a reconnect once it has ended: the snapshot and the final event both leave it out
    const again = named(await new SseReader(await open(`/api/tasks/${task.id}/events`)).rest())
    expect(again.map(f => [f.event, f.data])).toEqual([
      ['snapshot', omitted],
      ['completed', omitted],
    ])
  })

  test('a finished task sends its snapshot and final event and ends; a reconnect starts again with a snapshot', async () => {
    const task = await submit(small)
    await finished(task.id)
    for (const headers of [{}, { 'last-event-id': '7' }] as Record<string, string>[]) {
      const frames = named(await new SseReader(await open(`/api/tasks/${task.id}/events`, headers)).rest())
      expect(frames.map(f => [f.id, f.event])).toEqual([
        ['1', 'snapshot'],
        ['2', 'completed'],
      ])
      expect(frames[1]!.data).toMatchObject({ status: 'completed', result: { row_count: 2 } })
    }
  })

  test('an unknown task is a 404 problem, before any event', async () => {
    const res = await open('/api/tasks/00000000-0000-4000-8000-000000000000/events')
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
  })
})

describe('GET /api/events', () => {
  test('sends live events of the tasks asked for, no snapshot, and pings while quiet', async () => {
    const other = (await h.request('POST', '/api/datasets', { json: { name: 'other', rows: [{ b: 1 }] } })).body.id
    const reader = new SseReader(await open(`/api/events?dataset_id=${small}`))
    expect(await reader.next(f => f.comment === 'ping', 2000)).toMatchObject({ comment: 'ping' })
    const ignored = await submit(other)
    const task = await submit(small)
    const final = await reader.next(f => f.event === 'completed')
    expect(final?.data).toEqual((await h.request('GET', `/api/tasks/${task.id}`)).body)
    const events = named(reader.frames)
    expect(events.some(f => f.event === 'snapshot')).toBe(false)
    expect(events.every(f => (f.data as { id: string }).id === task.id)).toBe(true)
    expect(events.map(f => Number(f.id))).toEqual(events.map((_, i) => i + 1))
    await reader.cancel()
    await finished(ignored.id)
  })
  test('a final event leaves a result over 64 KiB of JSON out and says so, as on a task stream', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => ({ key: `key-${i}`, x: i / 7 }))
    const dataset = (await h.request('POST', '/api/datasets', { json: { name: 'wide groups', rows } })).body.id
    const reader = new SseReader(await open(`/api/events?dataset_id=${dataset}`))
    const task = await submit(dataset, {
      kind: 'groupby',
      params: { by: ['key'], aggregations: [{ column: 'x', fn: 'mean' }] },
    })
    const final = await reader.next(f => f.event === 'completed', 30_000)
    await reader.cancel()
    const whole = (await h.request('GET', `/api/tasks/${task.id}`)).body
    expect(whole.result.rows).toHaveLength(3000)
    expect(final?.data).toEqual({ ...whole, result: null, result_omitted: true })
  })
})

describe('streams and their clients', () => {
  test('clients that go away leave no listener, timer or stream behind', async () => {
    await workers.tasks.pause()
    try {
      const task = await submit(small)
      const before = { listeners: h.events.listenerCount, streams: h.streams.count }
      const clients = Array.from({ length: 50 }, () => new AbortController())
      const readers = await Promise.all(
        clients.map(async (c, i) => {
          const reader = new SseReader(
            await open(i % 5 === 0 ? '/api/events' : `/api/tasks/${task.id}/events`, {}, c.signal),
          )
          await reader.next(f => f.retry !== undefined || f.event === 'snapshot', 5000)
          return reader
        }),
      )
      await waitFor(async () => h.events.listenerCount === before.listeners + 50, 5000, 'every stream to listen')
      expect(h.streams.count).toBe(before.streams + 50)
      for (const c of clients) c.abort()
      await waitFor(
        async () => h.events.listenerCount === before.listeners && h.streams.count === before.streams,
        1000,
        'cleanup',
      )
      expect(readers).toHaveLength(50)
    } finally {
      workers.tasks.resume()
    }
  })
})

/**
 * The threads BullMQ's sandbox holds for running jobs: the way to make one die from outside.
 * `childPool` is a private field of BullMQ 6's Worker; this test breaks if it moves.
 */
type ChildPool = { retained: Record<string, { kill(signal?: string): Promise<void> }> }

describe('a thread that dies', () => {
  test('fails its attempt; the job runs again after a backoff and the task completes on attempt 2', async () => {
    const { task, reader } = await runningAndWatched(big)
    const pool = (workers.tasks as unknown as { childPool: ChildPool }).childPool
    const running = Object.values(pool.retained)
    expect(running.length).toBeGreaterThan(0)
    await Promise.all(running.map(child => child.kill('SIGKILL')))
    const retrying = await reader.next(f => f.event === 'status' && (f.data as { status: string }).status === 'pending')
    expect(retrying?.data).toMatchObject({ id: task.id, status: 'pending', attempts: 1 })
    const final = await reader.next(f => f.event === 'completed', 30_000)
    expect(final?.data).toMatchObject({ id: task.id, status: 'completed', attempts: 2, error: null })
    const statuses = named(reader.frames)
      .filter(f => f.event === 'status')
      .map(f => (f.data as { status: string }).status)
    expect(statuses.slice(statuses.indexOf('pending'))).toEqual(['pending', 'running', 'completed'])
    expect((await h.request('GET', `/api/tasks/${task.id}`)).body.result.method).toBe('spearman')
  })
})

describe('cancel', () => {
  test('a pending task is cancelled at once and never runs', async () => {
    await workers.tasks.pause()
    const task = await submit(small)
    const res = await h.request('POST', `/api/tasks/${task.id}/cancel`)
    expect(res.status).toBe(202)
    expect(res.body).toMatchObject({ id: task.id, status: 'cancelled', attempts: 0 })
    workers.tasks.resume()
    // jobs are taken in order: once a later task is done, the cancelled one had its chance to run
    await finished((await submit(small)).id)
    expect((await h.request('GET', `/api/tasks/${task.id}`)).body).toMatchObject({
      status: 'cancelled',
      attempts: 0,
      started_at: null,
    })
  })

  test('a running task stops within a second and ends cancelled; its stream says so', async () => {
    const { task, reader } = await runningAndWatched(big)
    const asked = performance.now()
    const res = await h.request('POST', `/api/tasks/${task.id}/cancel`)
    expect(res.status).toBe(202)
    expect(res.body.status).toBe('running')
    const final = await reader.next(f => f.event === 'cancelled', 5000)
    expect(performance.now() - asked).toBeLessThan(1000)
    expect(final?.data).toMatchObject({ id: task.id, status: 'cancelled', result: null })
    expect(await reader.next()).toBeNull()
  })

  test('deleting a dataset stops its running task within a second and ends its stream', async () => {
    const doomed = await seedSynthetic(h.config.databaseUrl, 1_000_000, 32_768)
    const { task, reader } = await runningAndWatched(doomed)
    const asked = performance.now()
    expect((await h.request('DELETE', `/api/datasets/${doomed}`)).status).toBe(204)
    await waitFor(async () => (await h.queue.getJobState(task.id)) !== 'active', 5000, 'the job to stop')
    expect(performance.now() - asked).toBeLessThan(1000)
    const frames = named(await reader.rest(5000))
    expect(frames.map(f => f.event)).not.toContain('completed')
    expect((await h.request('GET', `/api/tasks/${task.id}`)).status).toBe(404)
    expect((await open(`/api/tasks/${task.id}/events`)).status).toBe(404)
  })

  test('a finished task answers 409, and an unknown one 404', async () => {
    const task = await submit(small)
    await finished(task.id)
    const res = await h.request('POST', `/api/tasks/${task.id}/cancel`)
    expect(res.status).toBe(409)
    expect(res.body.code).toBe('TASK_FINISHED')
    expect((await h.request('POST', '/api/tasks/00000000-0000-4000-8000-000000000000/cancel')).status).toBe(404)
  })
})

describe('retry', () => {
  test('a cancelled task runs again as a new task; a completed one cannot be retried', async () => {
    await workers.tasks.pause()
    const task = await submit(small, { kind: 'histogram', params: { column: 'a', bins: 2 } })
    await h.request('POST', `/api/tasks/${task.id}/cancel`)
    workers.tasks.resume()
    const res = await h.request('POST', `/api/tasks/${task.id}/retry`)
    expect(res.status).toBe(202)
    expect(res.body).toMatchObject({ kind: 'histogram', params: { column: 'a', bins: 2 }, status: 'pending' })
    expect(res.body.id).not.toBe(task.id)
    expect(res.headers.get('location')).toBe(`/api/tasks/${res.body.id}`)
    const done = await finished(res.body.id)
    expect(done.result).toEqual({ column: 'a', edges: [1, 1.5, 2], counts: [1, 1] })
    const again = await h.request('POST', `/api/tasks/${res.body.id}/retry`)
    expect(again.status).toBe(409)
    expect(again.body.code).toBe('TASK_NOT_RETRYABLE')
  })
})

describe('Idempotency-Key', () => {
  test('the same request with the same key makes one task, even at the same moment', async () => {
    const headers = { 'idempotency-key': `key-${crypto.randomUUID()}` }
    const body = { kind: 'histogram', params: { column: 'a', bins: 3 } }
    const [a, b] = await Promise.all([
      h.request('POST', `/api/datasets/${small}/process`, { json: body, headers }),
      h.request('POST', `/api/datasets/${small}/process`, { json: body, headers }),
    ])
    expect(a!.status).toBe(202)
    expect(b!.status).toBe(202)
    expect(a!.body.id).toBe(b!.body.id)
    const c = await h.request('POST', `/api/datasets/${small}/process`, { json: body, headers })
    expect(c.body.id).toBe(a!.body.id)
    expect(c.headers.get('idempotent-replayed')).toBe('true')
    const list = await h.request('GET', `/api/tasks?dataset_id=${small}&kind=histogram&limit=500`)
    expect(list.body.data.filter((t: { id: string }) => t.id === a!.body.id)).toHaveLength(1)
  })

  test('the same key with another request is a 422, and a bad key too', async () => {
    const headers = { 'idempotency-key': `key-${crypto.randomUUID()}` }
    await h.request('POST', `/api/datasets/${small}/process`, { json: {}, headers })
    const other = await h.request('POST', `/api/datasets/${small}/process`, {
      json: { kind: 'histogram', params: { column: 'a' } },
      headers,
    })
    expect(other.status).toBe(422)
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED')
    const bad = await h.request('POST', `/api/datasets/${small}/process`, {
      json: {},
      headers: { 'idempotency-key': 'has space' },
    })
    expect(bad.status).toBe(422)
    expect(bad.body.errors[0].path).toBe('headers.idempotency-key')
  })
})
