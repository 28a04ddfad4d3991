import { availableParallelism } from 'node:os'
import { type Static, Type as t } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

const Int = (def: number, min: number, max = Number.MAX_SAFE_INTEGER) =>
  t.Integer({ default: def, minimum: min, maximum: max })

const EnvSchema = t.Object({
  PORT: Int(3000, 0, 65535),
  DATABASE_URL: t.String({ default: 'postgres://postgres@127.0.0.1:5432/datadynamo', pattern: '^postgres(ql)?://' }),
  DATABASE_POOL_SIZE: Int(10, 1, 200),
  REDIS_URL: t.String({ default: 'redis://127.0.0.1:6379', pattern: '^rediss?://' }),
  QUEUE_PREFIX: t.String({ default: 'datadynamo', pattern: '^[A-Za-z0-9_.-]+$' }),
  ADMIN_API_KEY: t.Optional(t.String({ minLength: 16 })),
  SESSION_SECRET: t.Optional(t.String({ minLength: 32 })),
  SESSION_TTL_SECONDS: Int(12 * 3600, 60, 30 * 24 * 3600),
  COOKIE_SECURE: t.Boolean({ default: false }),
  RATE_LIMIT_PER_SECOND: Int(50, 1),
  RATE_LIMIT_BURST: Int(200, 1),
  MAX_STREAMS_PER_KEY: Int(20, 1),
  MAX_PENDING_TASKS_PER_KEY: Int(100, 1),
  CORS_ORIGINS: t.String({ default: '' }),
  WORKER_CONCURRENCY: Int(2, 1, 256),
  ANALYSIS_THREADS: Int(availableParallelism(), 1, 256),
  LOG_LEVEL: t.Union(
    [t.Literal('debug'), t.Literal('info'), t.Literal('warn'), t.Literal('error'), t.Literal('silent')],
    {
      default: 'info',
    },
  ),
  MAX_BODY_BYTES: Int(1024 ** 3, 1024),
  MAX_JSON_BYTES: Int(64 * 1024 ** 2, 1024),
  MAX_COLUMNS: Int(1000, 1, 100_000),
  MAX_CELL_BYTES: Int(64 * 1024, 16),
  MAX_ROWS: Int(1_000_000_000, 1),
  MAX_CONCURRENT_UPLOADS: Int(2, 1, 1000),
  CHUNK_ROWS: Int(65_536, 1, 1 << 22),
  SPLIT_MIN_ROWS: Int(2_000_000, 1),
  SPLIT_PARTS: Int(4, 1, 256),
  ANALYSIS_CACHE_MB: Int(32, 0, 65_536),
  TASK_TIMEOUT_MS: Int(3_600_000, 100, 7 * 24 * 3_600_000),
  // PostgreSQL's jsonb holds at most 256 MiB; half of it leaves room for its own encoding.
  MAX_RESULT_BYTES: Int(64 * 1024 ** 2, 1024, 128 * 1024 ** 2),
  SSE_HEARTBEAT_MS: Int(5000, 50, 5000),
  JOB_LOCK_MS: Int(30_000, 500),
  STALLED_INTERVAL_MS: Int(30_000, 250),
  REAPER_INTERVAL_MS: Int(30_000, 100),
  REAPER_GRACE_MS: Int(120_000, 100),
})

type Env = Static<typeof EnvSchema>

/** Every environment variable the system reads. */
export const CONFIG_VARIABLES = Object.keys(EnvSchema.properties)

export type Config = {
  port: number
  databaseUrl: string
  databasePoolSize: number
  redisUrl: string
  queuePrefix: string
  adminApiKey: string | undefined
  auth: {
    /** Signs session cookies; without SESSION_SECRET, a random one (sessions end when the api restarts). */
    sessionSecret: string
    sessionSecretGiven: boolean
    sessionTtlSeconds: number
    cookieSecure: boolean
    rateLimit: { perSecond: number; burst: number }
    maxStreamsPerKey: number
    maxPendingTasksPerKey: number
  }
  /** Origins allowed to call the API from a browser (CORS); none by default. */
  corsOrigins: string[]
  workerConcurrency: number
  analysisThreads: number
  logLevel: Env['LOG_LEVEL']
  limits: { bodyBytes: number; jsonBytes: number; columns: number; cellBytes: number; rows: number }
  /** Data writes (uploads, inline data) one api process stores at once; more are refused with 429. */
  maxConcurrentUploads: number
  chunkRows: number
  split: { minRows: number; parts: number }
  /** Per task thread: decoded chunks of small data versions kept for the next analyses. */
  analysisCacheBytes: number
  /** How long one attempt of a task may run before it fails for good. */
  taskTimeoutMs: number
  /** Bytes of JSON a stored result may take; a larger one fails its task. */
  maxResultBytes: number
  sseHeartbeatMs: number
  /** BullMQ: how long a job's lock lasts unrenewed, and how often stalled jobs are looked for. */
  jobs: { lockMs: number; stalledIntervalMs: number }
  reaper: { intervalMs: number; graceMs: number }
}

export class ConfigError extends Error {}

/** Reads and validates the environment once; nothing else in the code base reads `process.env`. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const raw: Record<string, unknown> = {}
  for (const key of CONFIG_VARIABLES) {
    const value = source[key]
    if (value !== undefined && value !== '') raw[key] = value
  }
  const env = Value.Convert(EnvSchema, Value.Default(EnvSchema, raw))
  if (!Value.Check(EnvSchema, env)) {
    const problems = [...Value.Errors(EnvSchema, env)].map(e => `${e.path.slice(1)}: ${e.message}`)
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`)
  }
  return {
    port: env.PORT,
    databaseUrl: env.DATABASE_URL,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    redisUrl: env.REDIS_URL,
    queuePrefix: env.QUEUE_PREFIX,
    adminApiKey: env.ADMIN_API_KEY,
    auth: {
      sessionSecret:
        env.SESSION_SECRET ?? Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url'),
      sessionSecretGiven: env.SESSION_SECRET !== undefined,
      sessionTtlSeconds: env.SESSION_TTL_SECONDS,
      cookieSecure: env.COOKIE_SECURE,
      rateLimit: { perSecond: env.RATE_LIMIT_PER_SECOND, burst: env.RATE_LIMIT_BURST },
      maxStreamsPerKey: env.MAX_STREAMS_PER_KEY,
      maxPendingTasksPerKey: env.MAX_PENDING_TASKS_PER_KEY,
    },
    corsOrigins: env.CORS_ORIGINS.split(',')
      .map(origin => origin.trim())
      .filter(Boolean),
    workerConcurrency: env.WORKER_CONCURRENCY,
    analysisThreads: env.ANALYSIS_THREADS,
    logLevel: env.LOG_LEVEL,
    limits: {
      bodyBytes: env.MAX_BODY_BYTES,
      jsonBytes: env.MAX_JSON_BYTES,
      columns: env.MAX_COLUMNS,
      cellBytes: env.MAX_CELL_BYTES,
      rows: env.MAX_ROWS,
    },
    maxConcurrentUploads: env.MAX_CONCURRENT_UPLOADS,
    chunkRows: env.CHUNK_ROWS,
    split: { minRows: env.SPLIT_MIN_ROWS, parts: env.SPLIT_PARTS },
    analysisCacheBytes: env.ANALYSIS_CACHE_MB * 1024 * 1024,
    taskTimeoutMs: env.TASK_TIMEOUT_MS,
    maxResultBytes: env.MAX_RESULT_BYTES,
    sseHeartbeatMs: env.SSE_HEARTBEAT_MS,
    jobs: { lockMs: env.JOB_LOCK_MS, stalledIntervalMs: env.STALLED_INTERVAL_MS },
    reaper: { intervalMs: env.REAPER_INTERVAL_MS, graceMs: env.REAPER_GRACE_MS },
  }
}
