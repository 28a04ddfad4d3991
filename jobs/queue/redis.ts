import { Redis, type RedisOptions } from 'ioredis'

/**
 * Redis connections by role. Workers block on Redis and must retry forever
 * (`maxRetriesPerRequest: null`, which BullMQ requires); the api fails fast instead, so that a
 * request answers 503 rather than hanging while Redis is away.
 */
export function createRedis(url: string, role: 'api' | 'worker'): Redis {
  const options: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 }
  return new Redis(url, {
    ...options,
    retryStrategy: attempt => Math.min(attempt * 200, 2000),
  })
}
