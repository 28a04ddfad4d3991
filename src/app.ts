import { cors } from '@elysiajs/cors'
import { Elysia } from 'elysia'
import type { Redis } from 'ioredis'
import type { TaskEventHub } from '../jobs/events/event-hub'
import { taskEventPublisher } from '../jobs/events/task-events'
import type { AnalysisQueue } from '../jobs/queue/queues'
import packageJson from '../package.json'
import { Authenticator } from './auth/authenticator'
import { createKeyQueries } from './auth/key-queries'
import { KeyService } from './auth/key-service'
import { authentication } from './auth/plugin'
import { RateLimiter } from './auth/rate-limiter'
import type { RevocationHandlers } from './auth/revocations'
import { keyRoutes, sessionRoutes } from './auth/routes'
import { SessionStore } from './auth/session-store'
import type { Config } from './config'
import { dashboardRoutes } from './dashboard/routes'
import { datasetRoutes } from './datasets/routes'
import { DatasetService } from './datasets/service'
import type { Database } from './db/client'
import { docs } from './http/docs'
import { errorHandler } from './http/errors'
import { healthRoutes } from './http/health'
import { ROUTER_CONFIG, requestContext } from './http/request-context'
import { securityHeaders } from './http/security-headers'
import type { SseStreams } from './http/sse'
import type { Logger } from './logger'
import { metricsRoutes } from './metrics/routes'
import { MetricsService } from './metrics/service'
import { eventRoutes } from './tasks/event-routes'
import { taskRoutes } from './tasks/routes'
import { TaskService } from './tasks/service'

export type AppDeps = {
  config: Config
  db: Database
  redis: Redis
  queue: AnalysisQueue
  /** This process's subscription to task events, shared by its SSE streams. */
  events: TaskEventHub
  streams: SseStreams
  log: Logger
  /** Who a request acts for; built from the configuration unless given. */
  authenticator?: Authenticator
}

/**
 * The authenticator of an api process: keys in PostgreSQL, the environment's admin key, live
 * sessions and rate limits in Redis. The configuration's session secret must have been filled
 * in at start-up (`withSessionSecret`).
 */
export function createAuthenticator({ config, db, redis, log }: Pick<AppDeps, 'config' | 'db' | 'redis' | 'log'>) {
  const { sessionSecret } = config.auth
  if (sessionSecret === undefined) throw new Error('the session secret is resolved at start-up, before the app')
  const limiter = new RateLimiter(redis, config.queuePrefix, config.auth.rateLimit, error =>
    log.warn('rate limit unavailable; letting requests through', { error: error.message }),
  )
  return new Authenticator(createKeyQueries(db), limiter, new SessionStore(redis, config.queuePrefix), {
    adminApiKey: config.adminApiKey,
    sessionSecret,
    sessionTtlSeconds: config.auth.sessionTtlSeconds,
  })
}

/**
 * What a process does when a key is revoked or rotated (stop trusting it, end the streams
 * opened with it) and when a session signs out (end its streams).
 */
export const revocationHandlers = (auth: Authenticator, streams: SseStreams): RevocationHandlers => ({
  onKeyRevoked(keyId) {
    auth.forget(keyId)
    streams.closeFor(keyId)
  },
  onSessionEnded: sessionId => streams.closeSession(sessionId),
})

/** Builds the HTTP application; it never listens, so tests drive it as it is. */
export function createApp(deps: AppDeps) {
  const { config, db, redis, queue, events, streams, log } = deps
  const auth = deps.authenticator ?? createAuthenticator(deps)
  const revoked = revocationHandlers(auth, streams)
  const keys = new KeyService(db, redis, config.queuePrefix, log, revoked.onKeyRevoked)
  const datasets = new DatasetService(db, {
    limits: config.limits,
    chunkRows: config.chunkRows,
    maxConcurrentUploads: config.maxConcurrentUploads,
    maxUploadsPerKey: config.maxUploadsPerKey,
    maxStorageBytesPerKey: config.maxStorageBytesPerKey,
  })
  const tasks = new TaskService(db, datasets, queue, taskEventPublisher(redis, config.queuePrefix), {
    maxPendingTasksPerKey: config.auth.maxPendingTasksPerKey,
    maxParamsBytes: config.maxParamsBytes,
  })
  // normalize: false makes unknown body fields an error instead of silently dropping them.
  // Bun's own body limit answers a bare 413; at twice ours, our readers (which answer a problem
  // document, and count while streaming) refuse first, and Bun's stays a backstop.
  return new Elysia({
    ...ROUTER_CONFIG,
    normalize: false,
    serve: {
      maxRequestBodySize: 2 * config.limits.bodyBytes,
      // Set here, not left to Elysia's default: config checks that it outlasts a quiet upload
      // (answered 408 first) and the pause between event stream pings.
      idleTimeout: config.serverIdleTimeoutSeconds,
    },
  })
    .use(requestContext(log))
    .use(securityHeaders())
    .use(errorHandler(log))
    .use(
      cors({
        origin: config.corsOrigins.length > 0 ? config.corsOrigins : false,
        allowedHeaders: ['authorization', 'content-type', 'content-encoding', 'idempotency-key', 'x-request-id'],
        exposeHeaders: ['location', 'retry-after', 'x-request-id', 'idempotent-replayed'],
        credentials: false,
      }),
    )
    .use(authentication(auth))
    .use(docs(packageJson.version))
    .use(dashboardRoutes())
    .use(healthRoutes({ postgres: () => db.$client`select 1`, redis: () => redis.ping() }))
    .use(metricsRoutes(new MetricsService({ db, redis, tasksQueue: queue, streams, queuePrefix: config.queuePrefix })))
    .use(sessionRoutes(auth, { cookieSecure: config.auth.cookieSecure, onSessionEnded: revoked.onSessionEnded }))
    .use(keyRoutes(keys))
    .use(datasetRoutes(datasets, tasks, config.limits))
    .use(taskRoutes(tasks, config.limits.jsonBytes))
    .use(
      eventRoutes(tasks, datasets, {
        hub: events,
        streams,
        heartbeatMs: config.sseHeartbeatMs,
        log,
        maxStreamsPerKey: config.auth.maxStreamsPerKey,
        maxUnsentBytes: config.sseMaxUnsentBytes,
      }),
    )
}

export type App = ReturnType<typeof createApp>
