import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test'
import { type Subprocess, spawn } from 'bun'
import { Redis } from 'ioredis'
import { bearer, waitFor } from '../../support/harness'
import { type Child, startApi, startWorkerProcess } from '../../support/processes'
import { createTestDatabase, type TestDatabase } from '../../support/services'
import { SseReader } from '../../support/sse-client'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(30_000)

// A Redis of this test's own, so that it can be killed and restarted.
const PORT = 20_000 + Math.floor(Math.random() * 10_000)
const REDIS_URL = `redis://127.0.0.1:${PORT}`
let redis: Subprocess | undefined
let database: TestDatabase
const children: Child[] = []

async function startRedis(): Promise<void> {
  redis = spawn(['redis-server', '--port', String(PORT), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdout: 'ignore',
    stderr: 'inherit',
  })
  const probe = new Redis(REDIS_URL, { lazyConnect: true, retryStrategy: () => 100 })
  // Refused connections while the server starts are expected; the ping below waits them out.
  probe.on('error', () => {})
  await waitFor(async () => (await probe.ping().catch(() => null)) === 'PONG', 10_000, 'redis to start')
  probe.disconnect()
}

beforeAll(async () => {
  database = await createTestDatabase()
  await startRedis()
})
afterAll(async () => {
  await Promise.all(children.map(c => c.stop('SIGKILL')))
  redis?.kill('SIGKILL')
  await database.drop()
})

test('Redis restarted under a running api and worker: streams end for a fresh start, both reconnect by themselves', async () => {
  const env = {
    DATABASE_URL: database.url,
    REDIS_URL,
    QUEUE_PREFIX: 'dd-restart',
    JOB_LOCK_MS: '2000',
    STALLED_INTERVAL_MS: '1000',
  }
  const api = await startApi(env)
  children.push(api, await startWorkerProcess(env))
  const dataset = (
    (await (
      await fetch(`${api.url}/api/datasets`, {
        method: 'POST',
        headers: { ...bearer(), 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'd', rows: [{ x: 1 }, { x: 2 }, { x: 4 }] }),
      })
    ).json()) as { id: string }
  ).id
  const stream = new SseReader(await fetch(`${api.url}/api/events`, { headers: bearer() }))
  await stream.next(f => f.retry !== undefined)

  redis!.kill('SIGKILL')
  await redis!.exited
  // the stream ends, so EventSource reconnects and starts from a fresh state
  expect(await stream.next(() => false, 10_000)).toBeNull()
  await waitFor(async () => (await fetch(`${api.url}/ready`)).status === 503, 10_000, '/ready to notice')
  expect(await (await fetch(`${api.url}/ready`)).json()).toEqual({
    status: 'down',
    checks: { postgres: 'ok', redis: 'down' },
  })
  const refused = await fetch(`${api.url}/api/datasets/${dataset}/process`, { method: 'POST', headers: bearer() })
  expect(refused.status).toBe(503)
  expect(((await refused.json()) as { code: string }).code).toBe('DEPENDENCY_UNAVAILABLE')

  await startRedis()
  await waitFor(async () => (await fetch(`${api.url}/ready`)).status === 200, 20_000, 'the api to reconnect')
  const again = new SseReader(await fetch(`${api.url}/api/events`, { headers: bearer() }))
  await again.next(f => f.retry !== undefined)
  const task = (await (
    await fetch(`${api.url}/api/datasets/${dataset}/process`, { method: 'POST', headers: bearer() })
  ).json()) as {
    id: string
  }
  const done = await again.next(f => f.event === 'completed', 30_000)
  expect(done?.data).toMatchObject({ id: task.id, status: 'completed', result: { row_count: 3 } })
}, 90_000)
