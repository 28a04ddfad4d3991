import { AnalysisError } from '../kernels/analysis-error'

/** An attempt ran past its time budget (TASK_TIMEOUT_MS); another would too. */
export class TimeoutError extends AnalysisError {
  override name = 'TimeoutError'

  constructor(budgetMs: number) {
    super(`the analysis took longer than its time budget of ${budgetMs / 1000} s`)
  }
}

/** The task was cancelled while it ran. */
export class CancelledError extends Error {
  override name = 'CancelledError'
}

/** Between chunks: an attempt stops when its task was cancelled or its time budget is spent. */
export function checkStop(signal: AbortSignal | undefined, deadline: number, budgetMs: number): void {
  if (signal?.aborted) throw new CancelledError(String(signal.reason ?? 'cancelled'))
  if (Date.now() > deadline) throw new TimeoutError(budgetMs)
}
