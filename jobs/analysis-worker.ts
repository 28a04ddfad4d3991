import { fileURLToPath } from 'node:url'
import { type Job, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import type { Database } from '../src/db/client'
import type { Logger } from '../src/logger'
import type { ThreadData } from './processor'
import { ANALYSIS_QUEUE, type AnalysisJob } from './queue'
import { failTask, retryTask } from './task-store'

const PROCESSOR_FILE = fileURLToPath(new URL('./processor.ts', import.meta.url))

export type AnalysisWorkerOptions = {
  connection: Redis
  prefix: string
  concurrency: number
  databaseUrl: string
  db: Database
  log: Logger
}

const isFinalFailure = (job: Job, error: Error) =>
  error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1)

/**
 * The BullMQ worker of the worker process. Jobs run in worker threads (BullMQ's sandbox), so
 * this thread stays free to renew job locks; it only records failures in PostgreSQL.
 */
export function startAnalysisWorker({ connection, prefix, concurrency, databaseUrl, db, log }: AnalysisWorkerOptions) {
  const threadData: ThreadData = { databaseUrl }
  const worker = new Worker<AnalysisJob>(ANALYSIS_QUEUE, PROCESSOR_FILE, {
    connection,
    prefix,
    concurrency,
    useWorkerThreads: true,
    workerThreadsOptions: { workerData: threadData },
  })
  worker.on('completed', job => {
    log.info('job completed', {
      task_id: job.data.taskId,
      attempt: job.attemptsMade,
      ms: (job.finishedOn ?? 0) - (job.processedOn ?? 0),
    })
  })
  worker.on('failed', (job, error) => {
    if (!job) return
    const taskId = job.data.taskId
    const final = isFinalFailure(job, error)
    log.warn('job failed', { task_id: taskId, attempt: job.attemptsMade, final, reason: error.message })
    const record = final
      ? failTask(db, taskId, error.message)
      : retryTask(db, taskId, `attempt ${job.attemptsMade} failed: ${error.message}`)
    record.catch(dbError => log.error('could not record a job failure', { task_id: taskId, error: dbError }))
  })
  worker.on('error', error => log.error('worker error', { error }))
  return worker
}
