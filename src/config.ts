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
  MAX_PARAMS_BYTES: Int(1024 ** 2, 1024),
  MAX_COLUMNS: Int(1000, 1, 100_000),
  MAX_CELL_BYTES: Int(64 * 1024, 16),
  MAX_RECORD_BYTES: Int(4 * 1024 ** 2, 64, 1024 ** 3),
  MAX_ROWS: Int(1_000_000_000, 1),
  MAX_CONCURRENT_UPLOADS: Int(2, 1, 1000),
  MAX_UPLOADS_PER_KEY: Int(1, 1, 1000),
  BODY_IDLE_TIMEOUT_MS: Int(20_000, 100, 250_000),
  MAX_STORAGE_BYTES_PER_KEY: Int(10 * 1024 ** 3, 1024),
  CHUNK_ROWS: Int(65_536, 1, 1 << 22),
  SPLIT_MIN_ROWS: Int(2_000_000, 1),
  SPLIT_PARTS: Int(4, 1, 256),
  ANALYSIS_CACHE_MB: Int(32, 0, 65_536),
  TASK_TIMEOUT_MS: Int(3_600_000, 100, 7 * 24 * 3_600_000),
  // PostgreSQL's jsonb holds at most 256 MiB; half of it leaves room for its own encoding.
  MAX_RESULT_BYTES: Int(64 * 1024 ** 2, 1024, 128 * 1024 ** 2),
  SSE_HEARTBEAT_MS: Int(5000, 50, 5000),
  SSE_MAX_UNSENT_BYTES: Int(256 * 1024, 4096, 64 * 1024 ** 2),
  // Bun takes whole seconds, at most 255.
  SERVER_IDLE_TIMEOUT_SECONDS: Int(30, 1, 255),
  JOB_LOCK_MS: Int(30_000, 500),
  STALLED_INTERVAL_MS: Int(30_000, 250),
  REAPER_INTERVAL_MS: Int(30_000, 100),
  REAPER_GRACE_MS: Int(120_000, 100),
})

type Env = Static<typeof EnvSchema>

/**
 * Values that once shipped in `.env.example` and docker-compose.yml, and so are public: a
 * deployment still using one would be open to anyone who read the repository.
 */
const PUBLISHED_SECRETS: Partial<Record<keyof Env, string>> = {
  ADMIN_API_KEY: 'dd-admin-change-me-please',
  SESSION_SECRET: 'change-me-to-32-or-more-random-characters',
}

/** Relations between variables that each look fine alone. */
function checkRelations(env: Env): string[] {
  const problems: string[] = []
  for (const [name, published] of Object.entries(PUBLISHED_SECRETS))
    if (env[name as keyof Env] === published)
      problems.push(`${name}: this value was published as an example; set a secret of your own, or leave it unset`)
  const idleMs = env.SERVER_IDLE_TIMEOUT_SECONDS * 1000
  // The server would otherwise drop a quiet upload before it can be answered 408, or a quiet stream between pings.
  if (idleMs <= env.BODY_IDLE_TIMEOUT_MS)
    problems.push('SERVER_IDLE_TIMEOUT_SECONDS: must be longer than BODY_IDLE_TIMEOUT_MS')
  if (idleMs <= env.SSE_HEARTBEAT_MS) problems.push('SERVER_IDLE_TIMEOUT_SECONDS: must be longer than SSE_HEARTBEAT_MS')
  return problems
}

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
    /**
     * Signs session cookies. Unset (no SESSION_SECRET) until start-up fills it with the secret
     * kept in PostgreSQL, which every api process of the deployment shares (`withSessionSecret`).
     */
    sessionSecret: string | undefined
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
  limits: {
    bodyBytes: number
    jsonBytes: number
    columns: number
    cellBytes: number
    rows: number
    /** An upload whose body sends nothing for this long is ended (408). */
    bodyIdleMs: number
    recordBytes: number
  }
  /** An analysis's params, as JSON, at most; larger ones are refused before they are validated. */
  maxParamsBytes: number
  /** Data writes (uploads, inline data) one api process stores at once; more are refused with 429. */
  maxConcurrentUploads: number
  /** Of those, how many one non-admin key may hold. */
  maxUploadsPerKey: number
  /** What a non-admin key's datasets may take in storage, all together. */
  maxStorageBytesPerKey: number
  chunkRows: number
  split: { minRows: number; parts: number }
  /** Per task thread: decoded chunks of small data versions kept for the next analyses. */
  analysisCacheBytes: number
  /** How long one attempt of a task may run before it fails for good. */
  taskTimeoutMs: number
  /** Bytes of JSON a stored result may take; a larger one fails its task. */
  maxResultBytes: number
  sseHeartbeatMs: number
  /** An event stream whose client leaves this many bytes unread is closed; EventSource reconnects. */
  sseMaxUnsentBytes: number
  /** Bun closes a connection that sends and receives nothing this long (event streams excepted). */
  serverIdleTimeoutSeconds: number
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
  const conflicts = checkRelations(env)
  if (conflicts.length > 0) throw new ConfigError(`invalid configuration: ${conflicts.join('; ')}`)
  return {
    port: env.PORT,
    databaseUrl: env.DATABASE_URL,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    redisUrl: env.REDIS_URL,
    queuePrefix: env.QUEUE_PREFIX,
    adminApiKey: env.ADMIN_API_KEY,
    auth: {
      sessionSecret: env.SESSION_SECRET,
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
      bodyIdleMs: env.BODY_IDLE_TIMEOUT_MS,
      recordBytes: env.MAX_RECORD_BYTES,
    },
    maxParamsBytes: env.MAX_PARAMS_BYTES,
    maxConcurrentUploads: env.MAX_CONCURRENT_UPLOADS,
    maxUploadsPerKey: env.MAX_UPLOADS_PER_KEY,
    maxStorageBytesPerKey: env.MAX_STORAGE_BYTES_PER_KEY,
    chunkRows: env.CHUNK_ROWS,
    split: { minRows: env.SPLIT_MIN_ROWS, parts: env.SPLIT_PARTS },
    analysisCacheBytes: env.ANALYSIS_CACHE_MB * 1024 * 1024,
    taskTimeoutMs: env.TASK_TIMEOUT_MS,
    maxResultBytes: env.MAX_RESULT_BYTES,
    sseHeartbeatMs: env.SSE_HEARTBEAT_MS,
    sseMaxUnsentBytes: env.SSE_MAX_UNSENT_BYTES,
    serverIdleTimeoutSeconds: env.SERVER_IDLE_TIMEOUT_SECONDS,
    jobs: { lockMs: env.JOB_LOCK_MS, stalledIntervalMs: env.STALLED_INTERVAL_MS },
    reaper: { intervalMs: env.REAPER_INTERVAL_MS, graceMs: env.REAPER_GRACE_MS },
  }
}
