import type { ProgressUpdate } from './task-store'

const MIN_STEP = 5
const MAX_SILENCE_MS = 500
/** A task that finishes within this never reports intermediate progress: it would only slow it. */
const QUIET_START_MS = 100

/**
 * Forwards progress on every 5 % step, on a stage change, and otherwise at least every 500 ms
 * while it moves; never backwards within an attempt.
 */
export class ProgressReporter {
  private last: ProgressUpdate = { progress: 0, stage: 'starting', rows_processed: 0 }
  private readonly startedAt: number
  private lastAt: number

  constructor(
    private readonly emit: (update: ProgressUpdate) => Promise<void>,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.startedAt = now()
    this.lastAt = this.startedAt
  }

  async report(progress: number, stage: string, rows: number): Promise<void> {
    const at = this.now()
    if (at - this.startedAt < QUIET_START_MS) return
    const pct = Math.min(99, Math.max(this.last.progress, Math.floor(progress * 10) / 10))
    const moved = pct - this.last.progress
    if (moved < MIN_STEP && stage === this.last.stage && !(moved > 0 && at - this.lastAt >= MAX_SILENCE_MS)) return
    this.last = { progress: pct, stage, rows_processed: rows }
    this.lastAt = at
    await this.emit(this.last)
  }
}
