import { afterAll, beforeAll, expect, test } from 'bun:test'
import { type Subprocess, spawn } from 'bun'
import { Redis } from 'ioredis'
import { countRows } from '../../support/datasets'
import { createHarness, type Harness, waitFor } from '../../support/harness'

// A Redis of this test's own, so that it can be filled up.
const PORT = 20_000 + Math.floor(Math.random() * 10_000)
const REDIS_URL = `redis://127.0.0.1:${PORT}`
let redis: Subprocess
let admin: Redis
let h: Harness

beforeAll(async () => {
  redis = spawn(['redis-server', '--port', String(PORT), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdout: 'ignore',
    stderr: 'inherit',
  })
  admin = new Redis(REDIS_URL, { lazyConnect: true, retryStrategy: () => 100 })
  // Refused connections while the server starts are expected; the ping below waits them out.
  admin.on('error', () => {})
  await waitFor(async () => (await admin.ping().catch(() => null)) === 'PONG', 10_000, 'redis to start')
  h = await createHarness({ REDIS_URL })
})
afterAll(async () => {
  await h.close()
  admin.disconnect()
  redis.kill('SIGKILL')
})

/** Lowers maxmemory to what Redis holds now, then fills it until it refuses writes. */
async function fillRedis(): Promise<void> {
  const used = Number(/used_memory:(\d+)/.exec(await admin.info('memory'))![1])
  await admin.config('SET', 'maxmemory-policy', 'noeviction')
  await admin.config('SET', 'maxmemory', String(used + 256 * 1024))
  const filler = 'x'.repeat(4096)
  await expect(
    (async () => {
      for (let i = 0; ; i++) await admin.set(`filler:${i}`, filler)
    })(),
  ).rejects.toThrow('OOM command not allowed')
}

test('Redis full (maxmemory, noeviction): a submit is a 503 problem and leaves no task behind, and works once there is room', async () => {
  const dataset = await h.request('POST', '/api/datasets', { json: { name: 'd', rows: [{ x: 1 }, { x: 2 }] } })
  expect(dataset.status).toBe(201)
  await fillRedis()

  const refused = await h.request('POST', `/api/datasets/${dataset.body.id}/process`, { json: { kind: 'profile' } })
  expect(refused.status).toBe(503)
  expect(refused.headers.get('retry-after')).toBe('5')
  expect(refused.body).toMatchObject({
    status: 503,
    code: 'DEPENDENCY_UNAVAILABLE',
    detail: 'redis is unavailable; try again shortly',
  })
  expect(await countRows(h, 'tasks')).toBe(0)

  await admin.config('SET', 'maxmemory', '0')
  const accepted = await h.request('POST', `/api/datasets/${dataset.body.id}/process`, { json: { kind: 'profile' } })
  expect(accepted.status).toBe(202)
  expect(await countRows(h, 'tasks')).toBe(1)
})
