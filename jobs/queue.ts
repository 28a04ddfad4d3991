import { type JobsOptions, Queue } from 'bullmq'
import type { Redis } from 'ioredis'

export const ANALYSIS_QUEUE = 'analysis'

/** A job carries only the task id; everything else is read from PostgreSQL. */
export type AnalysisJob = { taskId: string }

export type AnalysisQueue = Queue<AnalysisJob>

export const ANALYSIS_JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000 },
  // PostgreSQL keeps the task; Redis only needs the job while it is alive.
  removeOnComplete: { age: 3600, count: 1000 },
  removeOnFail: { age: 24 * 3600, count: 5000 },
}

export function createAnalysisQueue(connection: Redis, prefix: string): AnalysisQueue {
  return new Queue<AnalysisJob>(ANALYSIS_QUEUE, { connection, prefix })
}

/** The job id is the task id, so enqueueing one task twice is harmless. */
export async function enqueueAnalysis(queue: AnalysisQueue, taskId: string): Promise<void> {
  await queue.add('analyse', { taskId }, { ...ANALYSIS_JOB_OPTIONS, jobId: taskId })
}

/** Drops a job that has not started; a running job is left to finish or be cancelled. */
export async function discardAnalysis(queue: AnalysisQueue, taskId: string): Promise<void> {
  await queue.remove(taskId)
}
