import { Elysia } from 'elysia'
import type { Redis } from 'ioredis'
import type { TaskEventHub } from '../jobs/event-hub'
import type { AnalysisQueue } from '../jobs/queue'
import { taskEventPublisher } from '../jobs/task-events'
import packageJson from '../package.json'
import type { Config } from './config'
import { dashboardRoutes } from './dashboard/routes'
import { datasetRoutes } from './datasets/routes'
import { DatasetService } from './datasets/service'
import type { Database } from './db/client'
import { docs } from './http/docs'
import { errorHandler } from './http/errors'
import { healthRoutes } from './http/health'
import { requestContext } from './http/request-context'
import type { SseStreams } from './http/sse'
import type { Logger } from './logger'
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
}

/** Builds the HTTP application; it never listens, so tests drive it as it is. */
export function createApp({ config, db, redis, queue, events, streams, log }: AppDeps) {
  const datasets = new DatasetService(db, { limits: config.limits, chunkRows: config.chunkRows })
  const tasks = new TaskService(db, datasets, queue, taskEventPublisher(redis, config.queuePrefix))
  // normalize: false makes unknown body fields an error instead of silently dropping them.
  // Bun's own body limit answers a bare 413; at twice ours, our readers (which answer a problem
  // document, and count while streaming) refuse first, and Bun's stays a backstop.
  return new Elysia({ normalize: false, serve: { maxRequestBodySize: 2 * config.limits.bodyBytes } })
    .use(requestContext(log))
    .use(errorHandler(log))
    .use(docs(packageJson.version))
    .use(dashboardRoutes())
    .use(healthRoutes({ postgres: () => db.$client`select 1`, redis: () => redis.ping() }))
    .use(datasetRoutes(datasets, tasks, config.limits))
    .use(taskRoutes(tasks, config.limits.jsonBytes))
    .use(eventRoutes(tasks, { hub: events, streams, heartbeatMs: config.sseHeartbeatMs, log }))
}

export type App = ReturnType<typeof createApp>
