import { fileURLToPath } from 'node:url'
import { Job, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import type { Config } from '../../src/config'
import type { Database } from '../../src/db/client'
import type { Logger } from '../../src/logger'
import { failTask, retryTask, type TaskChange } from '../../src/tasks/lifecycle'
import { cancelChannel, statusEvent, taskEventPublisher } from '../events/task-events'
import type { PartJob, TaskJobData } from '../queue/job-data'
import { ANALYSIS_QUEUE, createAnalysisQueue, PARTS_QUEUE } from '../queue/queues'
import type { ThreadData } from '../threads/thread-env'
import { reapOrphans } from './reaper'

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
    | 'jobs'
    | 'reaper'
  >
  db: Database
  log: Logger
}

export type AnalysisWorkers = { tasks: Worker<TaskJobData>; parts: Worker<PartJob>; close(): Promise<void> }

const STALLED_TOO_OFTEN = 'job stalled more than allowable limit'
const WORKER_LOST = 'the worker running it stopped in the middle of it more than once (killed, or out of memory)'

/**
 * BullMQ's own failure reasons in words: it fails a job itself when its worker died mid-job more
 * often than the stall limit allows (a task that kills its worker every time).
 */
const inWords = (reason: string) => (reason === STALLED_TOO_OFTEN ? WORKER_LOST : reason)

const isFinalFailure = (job: Job, error: Error) =>
  error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1)

/**
 * The BullMQ workers of the worker process: tasks (`WORKER_CONCURRENCY` at once) and the parts
 * of split tasks (`ANALYSIS_THREADS` at once). Both run their jobs in worker threads (BullMQ's
 * sandbox), so this thread stays free to renew job locks. It records failures, stops the jobs
 * of a task when any api asks, and sweeps up orphaned tasks.
 */
export function startAnalysisWorkers({ connection, config, db, log }: AnalysisWorkerOptions): AnalysisWorkers {
  const workerData: ThreadData = {
    databaseUrl: config.databaseUrl,
    redisUrl: config.redisUrl,
    queuePrefix: config.queuePrefix,
    splitMinRows: config.split.minRows,
    splitParts: config.split.parts,
    cacheBytes: config.analysisCacheBytes,
    timeoutMs: config.taskTimeoutMs,
  }
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

  const settle = (taskId: string, change: Promise<TaskChange | null>) =>
    change
      .then(row => row && events.publish(statusEvent(row)))
      .catch(error => log.error('could not record a job failure', { task_id: taskId, error }))

  // Jobs running in this process, by task, so that a cancel can reach them.
  const running = new Map<string, Map<string, Worker>>()
  const track = (worker: Worker) => (job: Job<TaskJobData | PartJob>) => {
    const jobs = running.get(job.data.taskId) ?? new Map<string, Worker>()
    running.set(job.data.taskId, jobs.set(job.id!, worker))
  }
  const untrack = (job: Job<TaskJobData | PartJob> | undefined) => {
    if (!job) return
    const jobs = running.get(job.data.taskId)
    jobs?.delete(job.id!)
    if (jobs?.size === 0) running.delete(job.data.taskId)
  }
  tasks.on('active', track(tasks))
  parts.on('active', track(parts))

  tasks.on('completed', (job, outcome) => {
    untrack(job)
    log.info('task job finished', {
      task_id: job.data.taskId,
      outcome,
      attempts: job.attemptsMade,
      ms: (job.finishedOn ?? 0) - (job.processedOn ?? 0),
    })
  })
  /**
   * Why a task job failed, for the task's `error`. A split task's job fails with BullMQ's
   * "child <key> failed" when one of its parts failed for good, which may come before the part's
   * own failure is recorded: the task says why the part failed instead.
   */
  const reasonOf = async (error: Error): Promise<string> => {
    const partId = /^child .*:([^:]+) failed$/.exec(error.message)?.[1]
    const part = partId === undefined ? undefined : await Job.fromId<PartJob>(parts, partId).catch(() => undefined)
    return inWords(part?.failedReason || error.message)
  }
  tasks.on('failed', (job, error) => {
    untrack(job)
    if (!job) return
    const { taskId } = job.data
    const final = isFinalFailure(job, error)
    log.warn('task job failed', { task_id: taskId, attempts: job.attemptsMade, final, reason: error.message })
    settle(
      taskId,
      final
        ? reasonOf(error).then(reason => failTask(db, taskId, reason))
        : retryTask(db, taskId, `attempt ${job.attemptsMade} failed: ${error.message}`),
    )
  })
  parts.on('completed', job => {
    untrack(job)
    log.info('part job finished', {
      task_id: job.data.taskId,
      part: job.id,
      ms: (job.finishedOn ?? 0) - (job.processedOn ?? 0),
    })
  })
  parts.on('failed', (job, error) => {
    untrack(job)
    if (!job) return
    const final = isFinalFailure(job, error)
    log.warn('part job failed', {
      task_id: job.data.taskId,
      part: job.id,
      attempts: job.attemptsMade,
      final,
      reason: error.message,
    })
    if (final) settle(job.data.taskId, failTask(db, job.data.taskId, inWords(error.message)))
  })
  for (const worker of [tasks, parts]) worker.on('error', error => log.error('worker error', { error }))

  const cancels = connection()
  cancels.subscribe(cancelChannel(config.queuePrefix)).catch(error => log.error('cannot hear cancels', { error }))
  cancels.on('message', (_channel: string, taskId: string) => {
    for (const [jobId, worker] of running.get(taskId) ?? []) worker.cancelJob(jobId, 'cancelled')
  })

  const queue = createAnalysisQueue(publisherConnection, config.queuePrefix)
  const sweep = setInterval(() => {
    reapOrphans({ db, queue, events, log, graceMs: config.reaper.graceMs }).catch(error =>
      log.warn('could not sweep for orphaned tasks', { error: error instanceof Error ? error.message : error }),
    )
  }, config.reaper.intervalMs)

  return {
    tasks,
    parts,
    async close() {
      clearInterval(sweep)
      cancels.disconnect()
      await Promise.all([tasks.close(), parts.close()])
      await queue.close()
      publisherConnection.disconnect()
    },
  }
}
