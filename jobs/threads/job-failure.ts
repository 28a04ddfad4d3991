import {
  DelayedError,
  RateLimitError,
  type SandboxedJob,
  UnrecoverableError,
  WaitingChildrenError,
  WaitingError,
} from 'bullmq'
import { unavailableDependency } from '../../src/unavailable-dependency'
import { AnalysisError } from '../kernels/analysis-error'
import { CancelledError } from './check-stop'

/** A task's `error` when something nobody foresaw ended an attempt; what it was goes to the worker's log. */
export const UNEXPECTED_FAILURE = 'the analysis failed unexpectedly'

const UNREACHABLE = { postgres: 'the analysis could not reach PostgreSQL', redis: 'the analysis could not reach Redis' }

/** What went wrong in detail, for the worker's log: never for the task's `error`, which clients read. */
export type FailureDetail = { name: string; message: string; code?: string; sqlstate?: string; stack?: string }

/**
 * What a processor throws besides BullMQ's own signals: an error whose message says in words
 * what went wrong, marked `inWords` and with the `detail` of an unexpected cause. BullMQ's
 * sandbox hands the worker an error's own properties, so the marks reach it.
 */
export type FailureMarks = { inWords: true; detail?: FailureDetail }

// A PostgreSQL message can quote a whole value of a statement; the log keeps a bounded part.
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text)

function detailOf(error: unknown): FailureDetail {
  if (!(error instanceof Error)) return { name: typeof error, message: clip(String(error), 4096) }
  // postgres.js puts the SQLSTATE in `code`; Bun's SQL client in `errno`, beside a code of its own.
  const { code, errno } = error as { code?: unknown; errno?: unknown }
  return {
    name: error.name,
    message: clip(error.message, 4096),
    ...(typeof code === 'string' && { code }),
    ...(typeof errno === 'string' && { sqlstate: errno }),
    ...(error.stack !== undefined && { stack: clip(error.stack, 8192) }),
  }
}

const marked = <E extends Error>(error: E, detail?: FailureDetail): E & FailureMarks =>
  Object.assign(error, { inWords: true as const }, detail && { detail })

const isQueueSignal = (error: unknown) =>
  error instanceof DelayedError ||
  error instanceof WaitingChildrenError ||
  error instanceof WaitingError ||
  error instanceof RateLimitError

/**
 * The error a processor's run ends with, in words. Ours already say what went wrong, and skip
 * the retries (BullMQ recognises UnrecoverableError by name); a dependency out of reach says
 * which; anything else (a PostgreSQL error, a TypeError in a kernel) says only that the
 * analysis failed unexpectedly, and carries its detail for the log. Retries follow for those.
 */
function asJobError(error: unknown): unknown {
  if (isQueueSignal(error)) return error
  if (error instanceof AnalysisError || error instanceof CancelledError)
    return marked(new UnrecoverableError(error.message))
  const dependency = unavailableDependency(error)
  return marked(new Error(dependency ? UNREACHABLE[dependency] : UNEXPECTED_FAILURE), detailOf(error))
}

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
