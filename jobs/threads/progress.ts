import type { ProgressUpdate } from '../../src/tasks/lifecycle'

const MIN_STEP = 5
const MAX_SILENCE_MS = 500
/** A task that finishes within this never reports intermediate progress: it would only slow it. */
const QUIET_START_MS = 100

/**
 * Forwards progress on every 5 % step, on a stage change, and otherwise at least every 500 ms
 * while it moves; never backwards within an attempt. Updates are written one after another in
 * the background, so computing never waits for them; `settled` waits for the last one.
 */
export class ProgressReporter {
  private last: ProgressUpdate = { progress: 0, stage: 'starting', rows_processed: 0 }
  private readonly startedAt: number
  private lastAt: number
  private writing: Promise<void> = Promise.resolve()

  constructor(
    private readonly emit: (update: ProgressUpdate) => Promise<void>,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.startedAt = now()
    this.lastAt = this.startedAt
  }

  report(progress: number, stage: string, rows: number): void {
    const at = this.now()
    if (at - this.startedAt < QUIET_START_MS) return
    const pct = Math.min(99, Math.max(this.last.progress, Math.floor(progress * 10) / 10))
    const moved = pct - this.last.progress
    if (moved < MIN_STEP && stage === this.last.stage && !(moved > 0 && at - this.lastAt >= MAX_SILENCE_MS)) return
    const update = { progress: pct, stage, rows_processed: rows }
    this.last = update
    this.lastAt = at
    this.writing = this.writing.then(() => this.emit(update))
  }

  /** Resolves when every update so far is written; rejects with the first that failed. */
  settled(): Promise<void> {
    return this.writing
  }
}

const SHARE_FLUSH_PERCENT = 1

/**
 * Progress from one part of a split task: it adds its share to the task's total (many parts
 * add concurrently, so the total only grows), at least every 500 ms while it moves or when a
 * percent has built up.
 */
export class ProgressShare {
  private pendingPercent = 0
  private pendingRows = 0
  private lastAt: number

  constructor(
    private readonly totalWork: number,
    private readonly add: (percent: number, stage: string, rows: number) => Promise<void>,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.lastAt = now()
  }

  async report(stage: string, rows: number, work: number): Promise<void> {
    this.pendingPercent += (work / Math.max(this.totalWork, 1)) * 100
    this.pendingRows += rows
    const at = this.now()
    if (this.pendingPercent < SHARE_FLUSH_PERCENT && at - this.lastAt < MAX_SILENCE_MS) return
    await this.flush(stage, at)
  }

  async flush(stage: string, at = this.now()): Promise<void> {
    if (this.pendingPercent === 0 && this.pendingRows === 0) return
    const percent = this.pendingPercent
    const rows = this.pendingRows
    this.pendingPercent = 0
    this.pendingRows = 0
    this.lastAt = at
    await this.add(percent, stage, rows)
  }
}
