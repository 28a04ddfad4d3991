import { fileURLToPath } from 'node:url'
import { type Job, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import type { Config } from '../src/config'
import type { Database } from '../src/db/client'
import type { Logger } from '../src/logger'
import { ANALYSIS_QUEUE, PARTS_QUEUE, type PartJob, type TaskJobData } from './queue'
import { failTask, retryTask } from './task-store'
import type { ThreadData } from './thread-env'

const TASK_PROCESSOR = fileURLToPath(new URL('./processor.ts', import.meta.url))
const PART_PROCESSOR = fileURLToPath(new URL('./part-processor.ts', import.meta.url))

export type AnalysisWorkerOptions = {
  /** A connection per BullMQ Worker: each blocks on Redis while it waits for jobs. */
  connection: () => Redis
  config: Pick<Config, 'databaseUrl' | 'redisUrl' | 'queuePrefix' | 'workerConcurrency' | 'analysisThreads' | 'split'>
  db: Database
  log: Logger
}

export type AnalysisWorkers = { tasks: Worker<TaskJobData>; parts: Worker<PartJob>; close(): Promise<void> }

const isFinalFailure = (job: Job, error: Error) =>
  error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1)

/**
 * The BullMQ workers of the worker process: tasks (`WORKER_CONCURRENCY` at once) and the parts
 * of split tasks (`ANALYSIS_THREADS` at once). Both run their jobs in worker threads (BullMQ's
 * sandbox), so this thread stays free to renew job locks; it only records failures.
 */
export function startAnalysisWorkers({ connection, config, db, log }: AnalysisWorkerOptions): AnalysisWorkers {
  const workerData: ThreadData = {
    databaseUrl: config.databaseUrl,
    redisUrl: config.redisUrl,
    queuePrefix: config.queuePrefix,
    splitMinRows: config.split.minRows,
    splitParts: config.split.parts,
  }
  const sandbox = { prefix: config.queuePrefix, useWorkerThreads: true, workerThreadsOptions: { workerData } }
  const tasks = new Worker<TaskJobData>(ANALYSIS_QUEUE, TASK_PROCESSOR, {
    ...sandbox,
    connection: connection(),
    concurrency: config.workerConcurrency,
  })
  const parts = new Worker<PartJob>(PARTS_QUEUE, PART_PROCESSOR, {
    ...sandbox,
    connection: connection(),
    concurrency: config.analysisThreads,
  })

  const record = (taskId: string, promise: Promise<unknown>) =>
    promise.catch(error => log.error('could not record a job failure', { task_id: taskId, error }))

  tasks.on('completed', (job, outcome) => {
    log.info('task job finished', {
      task_id: job.data.taskId,
      outcome,
      attempt: job.attemptsMade + 1,
      ms: (job.finishedOn ?? 0) - (job.processedOn ?? 0),
    })
  })
  tasks.on('failed', (job, error) => {
    if (!job) return
    const { taskId } = job.data
    const final = isFinalFailure(job, error)
    log.warn('task job failed', { task_id: taskId, attempt: job.attemptsMade, final, reason: error.message })
    record(
      taskId,
      final
        ? failTask(db, taskId, error.message)
        : retryTask(db, taskId, `attempt ${job.attemptsMade} failed: ${error.message}`),
    )
  })
  parts.on('completed', job => {
    log.info('part job finished', {
      task_id: job.data.taskId,
      part: job.id,
      ms: (job.finishedOn ?? 0) - (job.processedOn ?? 0),
    })
  })
  parts.on('failed', (job, error) => {
    if (!job) return
    const final = isFinalFailure(job, error)
    log.warn('part job failed', {
      task_id: job.data.taskId,
      part: job.id,
      attempt: job.attemptsMade,
      final,
      reason: error.message,
    })
    // The parent then fails too ("a child failed"); the task keeps the part's own reason.
    if (final) record(job.data.taskId, failTask(db, job.data.taskId, error.message))
  })
  for (const worker of [tasks, parts]) worker.on('error', error => log.error('worker error', { error }))

  return {
    tasks,
    parts,
    async close() {
      await Promise.all([tasks.close(), parts.close()])
    },
  }
}
