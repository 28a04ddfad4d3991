import { TaskEventHub } from '../../jobs/events/event-hub'
import { type AnalysisQueue, createAnalysisQueue } from '../../jobs/queue/queues'
import { createRedis } from '../../jobs/queue/redis'
import { type AnalysisWorkers, startAnalysisWorkers } from '../../jobs/worker/analysis-workers'
import { type App, createApp, createAuthenticator, revocationHandlers } from '../../src/app'
import { withSessionSecret } from '../../src/auth/instance-secrets'
import { KeyService } from '../../src/auth/key-service'
import { listenForRevocations } from '../../src/auth/revocations'
import { type Config, loadConfig } from '../../src/config'
import { createDb, type Database } from '../../src/db/client'
import { SseStreams } from '../../src/http/sse'
import { createLogger } from '../../src/logger'
import { createTestDatabase, createTestPrefix, REDIS_URL } from './services'

export type ApiResponse<T = any> = { status: number; headers: Headers; body: T; text: string }

export type RequestOptions = {
  json?: unknown
  body?: BodyInit
  headers?: Record<string, string>
  /** The API key to send as a bearer token: the harness's admin key unless given; null sends none. */
  key?: string | null
}

/** The administrator key of every harness (ADMIN_API_KEY). */
export const ADMIN_KEY = 'dd-test-admin-key-0123456789'

export const bearer = (key: string = ADMIN_KEY) => ({ authorization: `Bearer ${key}` })

export type Harness = {
  app: App
  db: Database
  queue: AnalysisQueue
  events: TaskEventHub
  streams: SseStreams
  config: Config
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>
  /**
   * A new non-admin key's secret, made through the key service: a request to POST /api/keys
   * would spend from the admin key's rate limit, which some tests set low.
   */
  newKey(name: string): Promise<string>
  /** Starts the analysis workers (jobs run in worker threads) against this harness's database and queue. */
  startWorker(threads?: number): Promise<AnalysisWorkers>
  close(): Promise<void>
}

/**
 * The api as one test file sees it: a database and a queue prefix of its own on the real
 * PostgreSQL and Redis, and the app driven through `app.handle` without a port.
 */
export async function createHarness(env: Record<string, string> = {}): Promise<Harness> {
  const database = await createTestDatabase()
  const redisPrefix = createTestPrefix()
  const environment = loadConfig({
    DATABASE_URL: database.url,
    REDIS_URL,
    QUEUE_PREFIX: redisPrefix.prefix,
    LOG_LEVEL: 'silent',
    ADMIN_API_KEY: ADMIN_KEY,
    // Tests fire requests as fast as they can; the limit has tests of its own.
    RATE_LIMIT_PER_SECOND: '1000000',
    RATE_LIMIT_BURST: '1000000',
    ...env,
  })
  const log = createLogger(environment.logLevel)
  const db = createDb(environment.databaseUrl, { max: 4 })
  const config = await withSessionSecret(environment, db)
  const redis = createRedis(config.redisUrl, 'api')
  const queue = createAnalysisQueue(redis, config.queuePrefix)
  await queue.waitUntilReady()
  const subscriber = createRedis(config.redisUrl, 'blocking')
  const events = new TaskEventHub(subscriber, config.queuePrefix, log)
  await events.start()
  const streams = new SseStreams()
  const authenticator = createAuthenticator({ config, db, redis, log })
  await listenForRevocations(subscriber, config.queuePrefix, revocationHandlers(authenticator, streams))
  const app = createApp({ config, db, redis, queue, events, streams, log, authenticator })
  const keys = new KeyService(db, redis, config.queuePrefix, log)
  const workers: AnalysisWorkers[] = []
  const workerConnections: ReturnType<typeof createRedis>[] = []

  return {
    app,
    db,
    queue,
    events,
    streams,
    config,
    async request(method, path, { json, body, headers = {}, key } = {}) {
      const init: RequestInit = { method, headers: { ...(key === null ? {} : bearer(key)), ...headers } }
      if (json !== undefined) {
        init.body = JSON.stringify(json)
        ;(init.headers as Record<string, string>)['content-type'] ??= 'application/json'
      } else if (body !== undefined) init.body = body
      const response = await app.handle(new Request(`http://localhost${path}`, init))
      const text = await response.text()
      let parsed: unknown = text
      try {
        parsed = text ? JSON.parse(text) : null
      } catch {}
      return { status: response.status, headers: response.headers, body: parsed as any, text }
    },
    newKey: async name => (await keys.create({ name })).key,
    async startWorker(threads = 2) {
      const connection = () => {
        const redis = createRedis(config.redisUrl, 'blocking')
        workerConnections.push(redis)
        return redis
      }
      const workerDb = createDb(config.databaseUrl, { max: 2 })
      const started = startAnalysisWorkers({
        connection,
        config: { ...config, workerConcurrency: threads, analysisThreads: threads },
        db: workerDb,
        log,
      })
      started.tasks.on('closed', () => void workerDb.$client.end())
      await Promise.all([started.tasks.waitUntilReady(), started.parts.waitUntilReady()])
      workers.push(started)
      return started
    },
    async close() {
      await Promise.all(workers.map(w => w.close()))
      for (const connection of workerConnections) connection.disconnect()
      streams.closeAll()
      await events.close()
      await queue.close()
      redis.disconnect()
      await db.$client.end()
      await database.drop()
      await redisPrefix.clear()
    },
  }
}

/** Polls until `check` returns a value, failing after `timeoutMs`: tests wait for conditions, not for time. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await Bun.sleep(20)
  }
}

/** Waits until a task has ended (completed, failed or cancelled) and answers it as GET shows it. */
export const taskEnded = (h: Harness, taskId: string, timeoutMs = 20_000) =>
  waitFor(
    async () => {
      const task = (await h.request('GET', `/api/tasks/${taskId}`)).body
      return ['completed', 'failed', 'cancelled'].includes(task.status) ? task : null
    },
    timeoutMs,
    `task ${taskId} to end`,
  )
