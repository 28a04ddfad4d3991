import type { StoredChunk } from '../../src/storage/chunk-store'
import type { ColumnInfo } from '../../src/storage/columns'

/** A dataset column as a kernel sees it: its position in the chunks, its name and type. */
export type ColumnRef = ColumnInfo & { index: number }

/**
 * A pass over every chunk, reduced chunk by chunk: each chunk gives a partial (plain JSON) and
 * partials merge. The partials of all chunks are always merged left to right in chunk order,
 * wherever they were computed, so a split analysis gives bit for bit the unsplit result.
 */
export type ChunkRound<C, P> = {
  by: 'chunks'
  stage: string
  partial(ctx: C, chunk: StoredChunk): P
  merge(a: P, b: P): P
  /** Folds the merged result into the context; `nextParts` is how many parts the next round has. */
  fold(ctx: C, merged: P, nextParts: number): C
}

/**
 * A pass for what needs whole groups of values at once (exact quantiles, distinct counts,
 * medians, ranks). Each of `parts` parts reads every chunk but keeps only the values it owns
 * (by value range or by hash, as the context says), so parts never exchange values and each
 * holds 1/parts of them. `single` rounds cannot be divided (ranking across columns).
 */
export type OwnerRound<C, S> = {
  by: 'owner'
  stage: string
  single?: boolean
  part(ctx: C, part: number, parts: number): OwnedPart<S>
  merge(a: S, b: S): S
  fold(ctx: C, merged: S, nextParts: number): C
}

export type OwnedPart<S> = {
  add(chunk: StoredChunk): void
  /** Reduces what the part holds, once, after the last chunk; `step` lets long work report and yield. */
  summarize(step: () => Promise<void>): Promise<S>
}

export type Round<C> = ChunkRound<C, unknown> | OwnerRound<C, unknown>

/**
 * An analysis as pure functions over chunks: a starting context (plain JSON), rounds that
 * each fold what they found into it, and `finish`, which makes the result from the last one.
 */
export type Kernel<C, R> = {
  columns: ColumnRef[]
  start: C
  rounds: Round<C>[]
  finish(ctx: C): R
}

export type AnyKernel = Kernel<unknown, unknown>

/** Erases a round's partial type so rounds of different types share one list. */
export const chunkRound = <C, P>(round: Omit<ChunkRound<C, P>, 'by'>): Round<C> =>
  ({ by: 'chunks', ...round }) as ChunkRound<C, unknown>

export const ownerRound = <C, S>(round: Omit<OwnerRound<C, S>, 'by'>): Round<C> =>
  ({ by: 'owner', ...round }) as OwnerRound<C, unknown>
