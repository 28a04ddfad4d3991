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
