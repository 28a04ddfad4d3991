import { type JobsOptions, Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import type { PartJob, TaskJobData } from './job-data'

export const ANALYSIS_QUEUE = 'analysis'
/** Child jobs of a split analysis: one per part of a round. */
export const PARTS_QUEUE = 'analysis-parts'

export type AnalysisQueue = Queue<TaskJobData>

const RETRIES: JobsOptions = { attempts: 3, backoff: { type: 'exponential', delay: 1000 } }

export const ANALYSIS_JOB_OPTIONS: JobsOptions = {
  ...RETRIES,
  // PostgreSQL keeps the task; Redis only needs the job while it is alive. A task enqueued again
  // after its job went finds the task finished and skips it.
  removeOnComplete: true,
  removeOnFail: { age: 24 * 3600, count: 5000 },
}

/** A part's result reaches its parent when it completes, so the part's own record can go at once. */
export const PART_JOB_OPTIONS: JobsOptions = {
  ...RETRIES,
  failParentOnFailure: true,
  removeOnComplete: true,
  removeOnFail: { age: 24 * 3600, count: 5000 },
}

export const partJobId = (job: Pick<PartJob, 'taskId' | 'attempt' | 'round' | 'part'>) =>
  `${job.taskId}-a${job.attempt}-r${job.round}-p${job.part}`

export function createAnalysisQueue(connection: Redis, prefix: string): AnalysisQueue {
  return new Queue<TaskJobData>(ANALYSIS_QUEUE, { connection, prefix })
}

export function createPartsQueue(connection: Redis, prefix: string): Queue<PartJob> {
  return new Queue<PartJob>(PARTS_QUEUE, { connection, prefix })
}

/** The job id is the task id, so enqueueing one task twice is harmless. */
export async function enqueueAnalysis(queue: AnalysisQueue, taskId: string): Promise<void> {
  await queue.add('analyse', { taskId }, { ...ANALYSIS_JOB_OPTIONS, jobId: taskId })
}

/** Drops a job that has not started; a running job is left to finish or be cancelled. */
export async function discardAnalysis(queue: AnalysisQueue, taskId: string): Promise<void> {
  await queue.remove(taskId)
}
