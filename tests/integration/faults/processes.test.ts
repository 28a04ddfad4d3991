import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { bearer, createHarness, type Harness, waitFor } from '../../support/harness'
import { type Child, envOf, startApi, startWorkerProcess } from '../../support/processes'
import { seedSynthetic } from '../../support/seed'
import { SseReader } from '../../support/sse-client'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(30_000)

// Real api and worker processes on one test database and queue prefix.
let h: Harness
let dataset: string
const children: Child[] = []

// A lock this short lets a killed worker's job be taken up again within seconds.
const FAST_RECOVERY = { JOB_LOCK_MS: '2000', STALLED_INTERVAL_MS: '1000' }

beforeAll(async () => {
  h = await createHarness()
  dataset = await seedSynthetic(h.config.databaseUrl, 1_000_000, 32_768)
})
afterAll(async () => {
  await Promise.all(children.map(c => c.stop('SIGKILL')))
  await h.close()
})

async function api(env: Record<string, string> = {}) {
  const child = await startApi({ ...envOf(h.config), ...env })
  children.push(child)
  return child
}

/**
 * Every worker here runs with a short lock: workers of one queue share the stalled-job check,
 * and one with the default 30 s interval would hold it back for the others.
 */
async function worker() {
  const child = await startWorkerProcess({ ...envOf(h.config), ...FAST_RECOVERY })
  children.push(child)
  return child
}

async function post(url: string, body: unknown = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...bearer(), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return (await res.json()) as { id: string; status: string }
}

const task = async (base: string, id: string) =>
  (await (await fetch(`${base}/api/tasks/${id}`, { headers: bearer() })).json()) as Record<string, any>

const settled = (base: string, id: string, timeout = 30_000) =>
  waitFor(
    async () => {
      const t = await task(base, id)
      return ['completed', 'failed', 'cancelled'].includes(t.status) ? t : null
    },
    timeout,
    `task ${id} to finish`,
  )

describe('several processes', () => {
  test('a client of one api follows a task run by a worker it never talks to, submitted through another api', async () => {
    const [a, b] = [await api(), await api()]
    const w = await worker()
    const submitted = await post(`${a.url}/api/datasets/${dataset}/process`)
    const reader = new SseReader(await fetch(`${b.url}/api/tasks/${submitted.id}/events`, { headers: bearer() }))
    const final = await reader.next(f => f.event === 'completed', 30_000)
    expect(final?.data).toMatchObject({ id: submitted.id, status: 'completed', result: { row_count: 1_000_000 } })
    expect(reader.frames.some(f => f.event === 'progress')).toBe(true)
    // one structured line per request and per job, with its timing
    const lines = (child: Child) =>
      child
        .output()
        .split('\n')
        .slice(0, -1) // the last piece may be a line still being written
        .filter(line => line.startsWith('{'))
        .map(line => JSON.parse(line) as Record<string, unknown>)
    const requestLine = lines(a).find(l => l.msg === 'request' && l.method === 'POST')
    expect(requestLine).toMatchObject({
      level: 'info',
      service: 'api',
      path: `/api/datasets/${dataset}/process`,
      status: 202,
      ms: expect.any(Number),
      request_id: expect.any(String),
    })
    const jobLine = await waitFor(async () => lines(w).find(l => l.msg === 'task job finished'))
    expect(jobLine).toMatchObject({
      level: 'info',
      service: 'worker',
      task_id: submitted.id,
      outcome: 'completed',
      attempts: 1,
      ms: expect.any(Number),
    })
    expect(typeof jobLine.time).toBe('string')
    await Promise.all([a.stop(), b.stop(), w.stop()])
  })

  test('a worker killed mid-task: another takes the job up again, and the task completes once, on attempt 2', async () => {
    const base = await api()
    const first = await worker()
    const submitted = await post(`${base.url}/api/datasets/${dataset}/process`, {
      kind: 'correlation',
      params: { method: 'spearman' },
    })
    await waitFor(async () => (await task(base.url, submitted.id)).status === 'running', 20_000, 'the task to run')
    await first.stop('SIGKILL')
    const second = await worker()
    const done = await settled(base.url, submitted.id, 60_000)
    expect(done).toMatchObject({ status: 'completed', attempts: 2, progress: 100 })
    // the same analysis, undisturbed, gives the same answer
    const again = await settled(
      base.url,
      (
        await post(`${base.url}/api/datasets/${dataset}/process`, {
          kind: 'correlation',
          params: { method: 'spearman' },
        })
      ).id,
    )
    expect(done.result).toEqual(again.result)
    await Promise.all([base.stop(), second.stop()])
  }, 90_000)

  test('a task whose worker dies on every attempt fails once past the stall limit, saying so', async () => {
    const base = await api()
    const submitted = await post(`${base.url}/api/datasets/${dataset}/process`, {
      kind: 'correlation',
      params: { method: 'spearman' },
    })
    for (const attempt of [1, 2]) {
      const doomed = await worker()
      await waitFor(
        async () => {
          const t = await task(base.url, submitted.id)
          return t.status === 'running' && t.attempts === attempt
        },
        20_000,
        `attempt ${attempt} to run`,
      )
      await doomed.stop('SIGKILL')
    }
    const last = await worker()
    const done = await settled(base.url, submitted.id, 60_000)
    expect(done).toMatchObject({
      status: 'failed',
      attempts: 2,
      result: null,
      error: 'the worker running it stopped in the middle of it more than once (killed, or out of memory)',
    })
    await Promise.all([base.stop(), last.stop()])
  }, 90_000)
})

describe('SIGTERM', () => {
  test('the api ends its open streams cleanly and exits', async () => {
    const base = await api()
    const reader = new SseReader(await fetch(`${base.url}/api/events`, { headers: bearer() }))
    await reader.next(f => f.retry !== undefined)
    const exit = base.stop('SIGTERM')
    expect(await reader.next(() => false, 5000)).toBeNull()
    expect(await exit).toBe(0)
  })

  test('the worker finishes the job it is running before it exits', async () => {
    const base = await api()
    const w = await worker()
    const submitted = await post(`${base.url}/api/datasets/${dataset}/process`)
    await waitFor(async () => (await task(base.url, submitted.id)).status === 'running', 20_000, 'the task to run')
    expect(await w.stop('SIGTERM')).toBe(0)
    expect(await task(base.url, submitted.id)).toMatchObject({ status: 'completed', attempts: 1 })
    await base.stop()
  })
})
