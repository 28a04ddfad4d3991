import { afterAll, describe, expect, test } from 'bun:test'
import { Redis } from 'ioredis'
import { RateLimiter } from '../../../src/auth/rate-limiter'
import { createTestPrefix, REDIS_URL } from '../../support/services'

const redis = new Redis(REDIS_URL)
const prefix = createTestPrefix()
afterAll(async () => {
  await prefix.clear()
  redis.disconnect()
})

describe('rate limiter (token buckets in Redis)', () => {
  test('a burst passes, the next request waits for the refill, and each key has its own bucket', async () => {
    const limiter = new RateLimiter(redis, prefix.prefix, { perSecond: 2, burst: 3 })
    expect(await Promise.all([1, 2, 3].map(() => limiter.take('a')))).toEqual([0, 0, 0])
    const wait = await limiter.take('a')
    expect(wait).toBeGreaterThan(0)
    expect(wait).toBeLessThanOrEqual(500)
    expect(await limiter.take('b')).toBe(0)
    await Bun.sleep(wait + 20)
    expect(await limiter.take('a')).toBe(0)
  })

  test('two processes share one budget: what one leases, the other cannot spend', async () => {
    const one = new RateLimiter(redis, prefix.prefix, { perSecond: 1, burst: 4 })
    const two = new RateLimiter(new Redis(REDIS_URL), prefix.prefix, { perSecond: 1, burst: 4 })
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? one : two).take('shared')))
    expect(answers.filter(wait => wait === 0)).toHaveLength(4)
  })

  test('a busy key leases several tokens per round trip', async () => {
    const connection = new Redis(REDIS_URL)
    const limiter = new RateLimiter(connection, prefix.prefix, { perSecond: 1000, burst: 1000 })
    const counted = connection as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>
    const command = Object.keys(counted).find(name => name.endsWith('TakeTokens'))!
    const original = counted[command]!.bind(connection)
    let calls = 0
    counted[command] = (...args) => {
      calls++
      return original(...args)
    }
    for (let i = 0; i < 200; i++) expect(await limiter.take('busy')).toBe(0)
    // a tenth of a second's worth (32 at most) per lease
    expect(calls).toBe(Math.ceil(200 / 32))
    connection.disconnect()
  })

  test('requests pass when Redis cannot answer, and the failure is reported', async () => {
    const down = new Redis('redis://127.0.0.1:9', {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      lazyConnect: true,
    })
    down.on('error', () => {})
    const errors: Error[] = []
    const limiter = new RateLimiter(down, prefix.prefix, { perSecond: 1, burst: 1 }, error => errors.push(error))
    expect(await limiter.take('x')).toBe(0)
    expect(await limiter.take('x')).toBe(0)
    expect(errors.length).toBe(2)
    down.disconnect()
  })
})
