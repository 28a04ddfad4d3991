import { Redis, type RedisOptions } from 'ioredis'

/**
 * Redis connections by role. A `blocking` connection (a subscription, and every connection of
 * the worker process and its threads) waits for Redis and must retry forever
 * (`maxRetriesPerRequest: null`, which BullMQ requires); an `api` connection fails fast instead,
 * so that a request answers 503 rather than hanging while Redis is away.
 */
export function createRedis(url: string, role: 'api' | 'blocking'): Redis {
  const options: RedisOptions =
    role === 'blocking'
      ? { maxRetriesPerRequest: null }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 }
  return new Redis(url, {
    ...options,
    retryStrategy: attempt => Math.min(attempt * 200, 2000),
  })
}
