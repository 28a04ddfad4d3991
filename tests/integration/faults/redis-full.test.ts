import { afterAll, beforeAll, expect, test } from 'bun:test'
import { countRows } from '../../support/datasets'
import { createHarness, type Harness } from '../../support/harness'
import { type PrivateRedis, startPrivateRedis } from '../../support/private-redis'

// A Redis of this test's own, so that it can be filled up.
let redis: PrivateRedis
let h: Harness

beforeAll(async () => {
  redis = await startPrivateRedis()
  h = await createHarness({ REDIS_URL: redis.url })
})
afterAll(async () => {
  await h.close()
  await redis.kill()
  redis.admin.disconnect()
})

/** Lowers maxmemory to what Redis holds now, then fills it until it refuses writes. */
async function fillRedis(): Promise<void> {
  const used = Number(/used_memory:(\d+)/.exec(await redis.admin.info('memory'))![1])
  await redis.admin.config('SET', 'maxmemory-policy', 'noeviction')
  await redis.admin.config('SET', 'maxmemory', String(used + 256 * 1024))
  const filler = 'x'.repeat(4096)
  await expect(
    (async () => {
      for (let i = 0; ; i++) await redis.admin.set(`filler:${i}`, filler)
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

  await redis.admin.config('SET', 'maxmemory', '0')
  const accepted = await h.request('POST', `/api/datasets/${dataset.body.id}/process`, { json: { kind: 'profile' } })
  expect(accepted.status).toBe(202)
  expect(await countRows(h, 'tasks')).toBe(1)
})
