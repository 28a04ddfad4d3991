import type { Chunk } from '../../src/storage/chunk-codec'
import type { ColumnInfo } from '../../src/storage/columns'

/** A dataset column as a kernel sees it: its position in the chunks, its name and type. */
export type ColumnRef = ColumnInfo & { index: number }

/**
 * An analysis as pure functions over chunks, in at most two rounds so that it can be split:
 *
 * - `scan` reduces any range of chunks to a partial (plain JSON) and partials merge, so chunk
 *   ranges can be scanned anywhere and combined in any order;
 * - `own` (optional) is for what needs whole groups of values at once (exact quantiles,
 *   distinct counts, medians): part p of `parts` reads every chunk but keeps only the values
 *   it owns, chosen by the `plan` made from the merged scan, and reduces them to a summary;
 * - `finish` turns the merged partial and summaries into the result.
 *
 * Run unsplit, a kernel is one scan over all chunks and one `own` part of one.
 */
export type Kernel<Scan, Plan, Owned, Result> = {
  columns: ColumnRef[]
  scan: {
    init(): Scan
    add(state: Scan, chunk: Chunk): void
    merge(a: Scan, b: Scan): Scan
  }
  plan(scan: Scan, parts: number): Plan
  own: null | OwnRound<Plan, Owned>
  finish(scan: Scan, owned: Owned | null, plan: Plan): Result
}

export type OwnRound<Plan, Owned> = {
  part(plan: Plan, part: number, parts: number): OwnedPart<Owned>
  merge(a: Owned, b: Owned): Owned
}

export type OwnedPart<Owned> = {
  add(chunk: Chunk): void
  /** Reduces what the part holds; called once, after the last chunk. It may be slow (sorting). */
  summarize(onStep?: () => Promise<void>): Promise<Owned>
}

export type AnyKernel = Kernel<unknown, unknown, unknown, unknown>
