import { DelayedError, type SandboxedJob, UnrecoverableError } from 'bullmq'
import { unavailableDependency } from '../../src/unavailable-dependency'
import { AnalysisError } from '../kernels/analysis-error'
import { CancelledError } from './check-stop'

/** What a processor throws: BullMQ recognises UnrecoverableError by name and skips the retries. */
const asJobError = (error: unknown): unknown =>
  error instanceof AnalysisError || error instanceof CancelledError ? new UnrecoverableError(error.message) : error

/** How long a job waits for PostgreSQL to come back before it runs again. */
const POSTGRES_WAIT_MS = 2000
/**
 * Runs of one job that ended waiting for PostgreSQL, at most: about ten minutes of waits. Past
 * them a lost connection spends attempts like any failure, so that a task whose own query
 * brings the server down again and again still ends.
 */
const POSTGRES_WAITS = 300

/**
 * What a processor's run ends with when it throws. PostgreSQL away (a restart, a failover) is
 * waited out: the job goes back to the queue for a moment without spending an attempt, since
 * its few attempts would run out within seconds and fail every task taken meanwhile. Anything
 * else goes to BullMQ, which retries or fails the job. Should the move itself fail (Redis away
 * too), the job's lock lapses and BullMQ takes it as stalled, which puts it back as well.
 */
export async function jobFailure(job: SandboxedJob, token: string | undefined, error: unknown): Promise<unknown> {
  const waited = job.attemptsStarted - job.attemptsMade
  if (token === undefined || unavailableDependency(error) !== 'postgres' || waited > POSTGRES_WAITS)
    return asJobError(error)
  await job.moveToDelayed(Date.now() + POSTGRES_WAIT_MS, token)
  return new DelayedError()
}
