import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test'
import { bearer, createHarness, type Harness, taskEnded } from '../../support/harness'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(30_000)

let h: Harness

beforeAll(async () => {
  h = await createHarness()
  await h.startWorker()
})
afterAll(() => h.close())

/** The samples of a Prometheus text page, by `name{labels}`; also checks every sample has its TYPE line. */
function samples(text: string): Map<string, number> {
  const typed = new Set([...text.matchAll(/^# TYPE (\w+) gauge$/gm)].map(m => m[1]))
  const out = new Map<string, number>()
  for (const line of text.split('\n').filter(l => l && !l.startsWith('#'))) {
    const [, series, value] = /^(\S+) (\S+)$/.exec(line)!
    expect(typed.has(series!.replace(/\{.*$/, ''))).toBe(true)
    out.set(series!, Number(value))
  }
  return out
}

test('GET /api/metrics: queue depths, how recent tasks ended and took, open streams and Redis memory', async () => {
  const dataset = await h.request('POST', '/api/datasets', { json: { name: 'd', rows: [{ x: 1 }, { x: 2 }] } })
  for (let i = 0; i < 2; i++) {
    const task = await h.request('POST', `/api/datasets/${dataset.body.id}/process`, { json: { kind: 'profile' } })
    expect(await taskEnded(h, task.body.id)).toMatchObject({ status: 'completed' })
  }
  const watching = new AbortController()
  await h.app.handle(new Request('http://localhost/api/events', { headers: bearer(), signal: watching.signal }))

  const res = await h.request('GET', '/api/metrics')
  watching.abort()
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
  const values = samples(res.text)
  expect(values.get('datadynamo_tasks_ended_recently{status="completed"}')).toBe(2)
  expect(values.get('datadynamo_tasks_ended_recently{status="failed"}')).toBe(0)
  expect(values.get('datadynamo_tasks_ended_recently{status="cancelled"}')).toBe(0)
  for (const queue of ['tasks', 'parts'])
    for (const state of ['waiting', 'active', 'delayed', 'failed'])
      expect(values.get(`datadynamo_queue_jobs{queue="${queue}",state="${state}"}`)).toBe(0)
  for (const timing of ['wait', 'run'])
    for (const quantile of ['0.5', '0.95']) {
      const seconds = values.get(`datadynamo_task_${timing}_seconds{quantile="${quantile}"}`)!
      expect(seconds).toBeGreaterThanOrEqual(0)
      expect(seconds).toBeLessThan(20)
    }
  expect(values.get('datadynamo_sse_streams')).toBe(1)
  expect(values.get('datadynamo_redis_memory_bytes{kind="used"}')).toBeGreaterThan(0)
  expect(values.has('datadynamo_redis_memory_bytes{kind="max"}')).toBe(true)
})

test('a queued task shows as waiting, and once cancelled as ended so', async () => {
  const dataset = await h.request('POST', '/api/datasets', { json: { name: 'queued', rows: [{ x: 1 }] } })
  await h.queue.pause()
  try {
    const task = await h.request('POST', `/api/datasets/${dataset.body.id}/process`, { json: { kind: 'profile' } })
    const values = samples((await h.request('GET', '/api/metrics')).text)
    expect(values.get('datadynamo_queue_jobs{queue="tasks",state="waiting"}')).toBe(1)
    await h.request('POST', `/api/tasks/${task.body.id}/cancel`)
    const after = samples((await h.request('GET', '/api/metrics')).text)
    expect(after.get('datadynamo_queue_jobs{queue="tasks",state="waiting"}')).toBe(0)
    expect(after.get('datadynamo_tasks_ended_recently{status="cancelled"}')).toBe(1)
  } finally {
    await h.queue.resume()
  }
})

test('is for administrators only', async () => {
  const key = (await h.request('POST', '/api/keys', { json: { name: 'someone' } })).body.key as string
  const forbidden = await h.request('GET', '/api/metrics', { key })
  expect(forbidden.status).toBe(403)
  expect(forbidden.body.code).toBe('ADMIN_ONLY')
  expect((await h.request('GET', '/api/metrics', { key: null })).status).toBe(401)
})
