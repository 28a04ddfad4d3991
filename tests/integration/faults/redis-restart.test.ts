import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test'
import { bearer, waitFor } from '../../support/harness'
import { type PrivateRedis, startPrivateRedis } from '../../support/private-redis'
import { type Child, startApi, startWorkerProcess } from '../../support/processes'
import { createTestDatabase, type TestDatabase } from '../../support/services'
import { SseReader } from '../../support/sse-client'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(30_000)

// A Redis of this test's own, so that it can be killed and restarted.
let redis: PrivateRedis
let database: TestDatabase
const children: Child[] = []

beforeAll(async () => {
  database = await createTestDatabase()
  redis = await startPrivateRedis()
})
afterAll(async () => {
  await Promise.all(children.map(c => c.stop('SIGKILL')))
  await redis.kill()
  redis.admin.disconnect()
  await database.drop()
})

test('Redis restarted under a running api and worker: streams end for a fresh start, both reconnect by themselves', async () => {
  const env = {
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
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

  await redis.kill()
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

  await redis.start()
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
