import { fileURLToPath } from 'node:url'
import { Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import type { Config } from '../../src/config'
import type { Database } from '../../src/db/client'
import type { Logger } from '../../src/logger'
import { taskEventPublisher } from '../events/task-events'
import type { PartJob, TaskJobData } from '../queue/job-data'
import { ANALYSIS_QUEUE, createAnalysisQueue, PARTS_QUEUE } from '../queue/queues'
import type { ThreadData } from '../threads/thread-env'
import { relayCancels } from './cancel-relay'
import { recordFailures } from './failure-recording'
import { startReaper } from './reaper'

const TASK_PROCESSOR = fileURLToPath(new URL('../threads/task-processor.ts', import.meta.url))
const PART_PROCESSOR = fileURLToPath(new URL('../threads/part-processor.ts', import.meta.url))

export type AnalysisWorkerOptions = {
  /** A new Redis connection; each BullMQ Worker and the cancel subscription hold one. */
  connection: () => Redis
  config: Pick<
    Config,
    | 'databaseUrl'
    | 'redisUrl'
    | 'queuePrefix'
    | 'workerConcurrency'
    | 'analysisThreads'
    | 'split'
    | 'analysisCacheBytes'
    | 'taskTimeoutMs'
    | 'maxResultBytes'
    | 'jobs'
    | 'reaper'
  >
  db: Database
  log: Logger
}

export type AnalysisWorkers = { tasks: Worker<TaskJobData>; parts: Worker<PartJob>; close(): Promise<void> }

/** The part of the config that the analysis threads need. */
const threadDataOf = (config: AnalysisWorkerOptions['config']): ThreadData => ({
  databaseUrl: config.databaseUrl,
  redisUrl: config.redisUrl,
  queuePrefix: config.queuePrefix,
  splitMinRows: config.split.minRows,
  splitParts: config.split.parts,
  cacheBytes: config.analysisCacheBytes,
  timeoutMs: config.taskTimeoutMs,
  maxResultBytes: config.maxResultBytes,
})

/** Logs the jobs that finish, and what goes wrong in a BullMQ worker itself. */
function logJobs(tasks: Worker<TaskJobData>, parts: Worker<PartJob>, log: Logger): void {
  tasks.on('completed', (job, outcome) =>
    log.info('task job finished', {
      task_id: job.data.taskId,
      outcome,
      attempts: job.attemptsMade,
      ms: (job.finishedOn ?? 0) - (job.processedOn ?? 0),
    }),
  )
  parts.on('completed', job =>
    log.info('part job finished', {
      task_id: job.data.taskId,
      part: job.id,
      ms: (job.finishedOn ?? 0) - (job.processedOn ?? 0),
    }),
  )
  for (const worker of [tasks, parts]) worker.on('error', error => log.error('worker error', { error }))
}

/**
 * The BullMQ workers of the worker process: tasks (`WORKER_CONCURRENCY` at once) and the parts
 * of split tasks (`ANALYSIS_THREADS` at once). Both run their jobs in worker threads (BullMQ's
 * sandbox), so this thread stays free to renew job locks. Beside them: the failure recording,
 * the relay that stops the jobs of a task when any api asks, and the reaper's sweep for
 * orphaned tasks.
 */
export function startAnalysisWorkers({ connection, config, db, log }: AnalysisWorkerOptions): AnalysisWorkers {
  const workerData = threadDataOf(config)
  const common = {
    prefix: config.queuePrefix,
    useWorkerThreads: true,
    workerThreadsOptions: { workerData },
    lockDuration: config.jobs.lockMs,
    stalledInterval: config.jobs.stalledIntervalMs,
  }
  const tasks = new Worker<TaskJobData>(ANALYSIS_QUEUE, TASK_PROCESSOR, {
    ...common,
    connection: connection(),
    concurrency: config.workerConcurrency,
  })
  const parts = new Worker<PartJob>(PARTS_QUEUE, PART_PROCESSOR, {
    ...common,
    // Parts are of large data, which no thread keeps.
    workerThreadsOptions: { workerData: { ...workerData, cacheBytes: 0 } },
    connection: connection(),
    concurrency: config.analysisThreads,
  })
  const publisherConnection = connection()
  const events = taskEventPublisher(publisherConnection, config.queuePrefix)

  const cancels = relayCancels({ tasks, parts }, connection(), config.queuePrefix, log)
  logJobs(tasks, parts, log)
  recordFailures({ tasks, parts, db, events, log })
  const queue = createAnalysisQueue(publisherConnection, config.queuePrefix)
  const reaper = startReaper({ db, queue, events, log, graceMs: config.reaper.graceMs }, config.reaper.intervalMs)

  return {
    tasks,
    parts,
    async close() {
      reaper.stop()
      cancels.close()
      await Promise.all([tasks.close(), parts.close()])
      await queue.close()
      publisherConnection.disconnect()
    },
  }
}
