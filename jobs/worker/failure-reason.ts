import { type FailureDetail, type FailureMarks, UNEXPECTED_FAILURE } from '../threads/job-failure'

/** A failed job's error as a BullMQ worker hands it on: rebuilt from the own properties of the thread's. */
export type JobError = Error & Partial<FailureMarks>

const WORKER_LOST = 'the worker running it stopped in the middle of it more than once (killed, or out of memory)'
const THREAD_LOST = 'the analysis thread stopped in the middle of it (it crashed, or ran out of memory)'
const PART_FAILED = 'a part of the analysis failed'

/**
 * BullMQ's own failure reasons, which it sets itself rather than the processor: a job whose
 * worker died mid-job more often than the stall limit allows (a task that kills its worker
 * every time), a sandbox thread that exited under a job, a parent whose child failed.
 */
const BULLMQ_REASONS: [RegExp, string][] = [
  [/^job stalled more than allowable limit$/, WORKER_LOST],
  [/^Unexpected exit code: /, THREAD_LOST],
  [/^child .* failed$/, PART_FAILED],
  [/^Cannot complete job .* failed child/, PART_FAILED],
]

const bullmqReason = (message: string) => BULLMQ_REASONS.find(([pattern]) => pattern.test(message))?.[1]

/**
 * The task's `error` for a failed job. A processor's own errors are in words already (marked
 * `inWords`); BullMQ's reasons are put in words; anything else never reaches a client as it is
 * (it may quote SQL or a stack) and reads as an unexpected failure.
 */
export function reasonOf(error: JobError): string {
  if (error.inWords === true) return error.message
  return bullmqReason(error.message) ?? UNEXPECTED_FAILURE
}

/**
 * The same for a reason BullMQ kept (a job's `failedReason`), which has lost the marks: it is
 * either a processor's words, as thrown, or one of BullMQ's own reasons.
 */
export const keptReasonInWords = (reason: string): string => bullmqReason(reason) ?? reason

/** What the worker's log says of a failure: the processor's detail, else the error as it came. */
export function failureDetail(error: JobError): FailureDetail {
  if (error.detail) return error.detail
  return { name: error.name, message: error.message, ...(error.stack !== undefined && { stack: error.stack }) }
}
