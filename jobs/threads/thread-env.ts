import type { Redis } from 'ioredis'
import { createDb, type Database } from '../../src/db/client'
import { type ChunkReader, createChunkReader } from '../../src/storage/chunk-reader'
import { type TaskEventPublisher, taskEventPublisher } from '../events/task-events'
import { createRedis } from '../queue/redis'
import { ChunkCache } from './chunk-cache'

/** What the worker process hands each analysis thread (threads read no environment). */
export type ThreadData = {
  databaseUrl: string
  redisUrl: string
  queuePrefix: string
  /** Tasks over this many rows are split into parts. */
  splitMinRows: number
  /** How many parts a split round has. */
  splitParts: number
  /** Decoded chunks this thread may keep for its next analyses. */
  cacheBytes: number
  /** How long one attempt of a task may run. */
  timeoutMs: number
  /** Bytes of JSON a stored result may take. */
  maxResultBytes: number
}

/**
 * The connections of one long-lived analysis thread. `progressDb` commits without waiting for
 * the WAL flush: a claim or a progress update lost in a database crash is harmless (the job
 * runs again), while results go through `db` and are durable before a job completes.
 */
export type ThreadEnv = {
  db: Database
  progressDb: Database
  chunks: ChunkReader
  /** Decoded chunks of the small data versions this thread analysed last. */
  cache: ChunkCache
  redis: Redis
  events: TaskEventPublisher
  queuePrefix: string
  split: { minRows: number; parts: number }
  timeoutMs: number
  maxResultBytes: number
}

export function threadEnv(data: ThreadData): ThreadEnv {
  const redis = createRedis(data.redisUrl, 'blocking')
  // ioredis reconnects by itself; a thread has no log, and the job at hand fails and retries.
  redis.on('error', () => {})
  return {
    db: createDb(data.databaseUrl, { max: 2, applicationName: 'datadynamo-analysis' }),
    progressDb: createDb(data.databaseUrl, { max: 1, applicationName: 'datadynamo-analysis', relaxedCommit: true }),
    chunks: createChunkReader(data.databaseUrl),
    cache: new ChunkCache(data.cacheBytes),
    redis,
    events: taskEventPublisher(redis, data.queuePrefix),
    queuePrefix: data.queuePrefix,
    split: { minRows: data.splitMinRows, parts: data.splitParts },
    timeoutMs: data.timeoutMs,
    maxResultBytes: data.maxResultBytes,
  }
}
