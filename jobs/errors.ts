import { UnrecoverableError } from 'bullmq'

/**
 * A failure that retrying cannot fix: the data or the params make the analysis impossible
 * (e.g. a singular regression). The task fails at once with this message as its reason.
 */
export class AnalysisError extends Error {
  override name = 'AnalysisError'
}

/** The task was cancelled while it ran. */
export class CancelledError extends Error {
  override name = 'CancelledError'
}

/** What a processor throws: BullMQ recognises UnrecoverableError by name and skips the retries. */
export const asJobError = (error: unknown): unknown =>
  error instanceof AnalysisError || error instanceof CancelledError ? new UnrecoverableError(error.message) : error
