import { type JobsOptions, Queue } from 'bullmq'
import type { Redis } from 'ioredis'

export const ANALYSIS_QUEUE = 'analysis'
/** Child jobs of a split analysis: one per part of a round. */
export const PARTS_QUEUE = 'analysis-parts'

/** A job carries only the task id; everything else is read from PostgreSQL. */
export type AnalysisJob = { taskId: string }

/**
 * Where a split analysis stands, kept in its job's data between the runs of its processor:
 * the task attempt it belongs to, the round under way, whether that round's parts were
 * queued, and the context folded from the rounds before (small: bounds, ranks, aggregates).
 */
export type SplitState = AnalysisJob & {
  attempt: number
  /** BullMQ's attempt count when the split began; a retry starts the task over. */
  jobAttempt: number
  round: number
  queued: boolean
  ctx: unknown
  /** When this attempt runs out of time (ms since the epoch). */
  deadline: number
}

export type TaskJobData = AnalysisJob | SplitState

/** One part of one round; it reads the round's context from its parent job. */
export type PartJob = {
  taskId: string
  attempt: number
  round: number
  part: number
  parts: number
  /** Chunk sequence numbers [from, to) this part reads. */
  from: number
  to: number
  /** Rows the whole analysis reads over all its rounds and parts: the scale of each part's progress. */
  totalWork: number
  /** When the attempt runs out of time (ms since the epoch). */
  deadline: number
}

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
