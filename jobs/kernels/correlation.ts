import type { StoredChunk } from '../../src/storage/chunk-store'
import { columnView } from '../../src/storage/column-view'
import type { CorrelationParams } from '../../src/tasks/analyses'
import { type ColumnRef, chunkRound, type Kernel, ownerRound } from './kernel'
import { type CoMoments, chunkCoMoments, mergeCoMoments, pairIndex, pearson } from './stats/comoments'
import { F64Buffer } from './stats/ownership'
import { averageRanks } from './stats/ranks'

export type CorrelationResult = { method: 'pearson' | 'spearman'; columns: string[]; matrix: (number | null)[][] }
type CorrelationContext = { matrix?: (number | null)[][] }

function toMatrix(k: number, r: (i: number, j: number) => number | null): (number | null)[][] {
  const matrix = Array.from({ length: k }, () => new Array<number | null>(k).fill(null))
  for (let i = 0; i < k; i++)
    for (let j = i; j < k; j++) {
      const value = r(i, j)
      matrix[i]![j] = value
      matrix[j]![i] = value
    }
  return matrix
}

const floatsOf = (chunk: StoredChunk, column: ColumnRef) => columnView(chunk, column.index, 'number')

/**
 * Spearman's ρ as pandas computes it: Pearson's r of average ranks; for a pair whose columns
 * have nulls in different rows, both are re-ranked over the rows they share.
 */
function spearmanMatrix(columns: Float64Array[]): (number | null)[][] {
  const ranks = columns.map(averageRanks)
  const hasNull = columns.map(c => c.some(Number.isNaN))
  const k = columns.length
  return toMatrix(k, (i, j) => {
    const x = columns[i]!
    const y = columns[j]!
    let rx = ranks[i]!
    let ry = ranks[j]!
    let sameRows = true
    if (hasNull[i] || hasNull[j])
      for (let r = 0; r < x.length; r++) if (Number.isNaN(x[r]!) !== Number.isNaN(y[r]!)) sameRows = false
    if (!sameRows) {
      const both: number[] = []
      for (let r = 0; r < x.length; r++) if (!Number.isNaN(x[r]!) && !Number.isNaN(y[r]!)) both.push(r)
      rx = averageRanks(Float64Array.from(both, r => x[r]!))
      ry = averageRanks(Float64Array.from(both, r => y[r]!))
    }
    return rankPearson(rx, ry)
  })
}

/** Pearson's r of two rank vectors over their shared rows; the mean rank is exactly (n + 1) / 2. */
function rankPearson(rx: Float64Array, ry: Float64Array): number | null {
  let n = 0
  for (let r = 0; r < rx.length; r++) if (!Number.isNaN(rx[r]!) && !Number.isNaN(ry[r]!)) n++
  const mean = (n + 1) / 2
  let sxy = 0
  let sxx = 0
  let syy = 0
  for (let r = 0; r < rx.length; r++) {
    const a = rx[r]!
    const b = ry[r]!
    if (Number.isNaN(a) || Number.isNaN(b)) continue
    sxy += (a - mean) * (b - mean)
    sxx += (a - mean) * (a - mean)
    syy += (b - mean) * (b - mean)
  }
  const divisor = Math.sqrt(sxx * syy)
  return n < 2 || divisor === 0 ? null : sxy / divisor
}

/**
 * Correlation matrix, nulls dropped pair by pair as pandas does; a pair with a constant column
 * (the diagonal of one too) is null. Pearson is one mergeable pass of co-moments; Spearman
 * needs every column's ranks at once, so it runs as one part holding the columns.
 */
export function correlationKernel(
  params: CorrelationParams,
  columns: ColumnRef[],
): Kernel<CorrelationContext, CorrelationResult> {
  const selected = params.columns!.map(name => columns.find(c => c.name === name)!)
  const method = params.method ?? 'pearson'
  const k = selected.length
  const result = (ctx: CorrelationContext): CorrelationResult => ({
    method,
    columns: selected.map(c => c.name),
    matrix: ctx.matrix!,
  })
  if (method === 'pearson')
    return {
      columns: selected,
      start: {},
      rounds: [
        chunkRound<CorrelationContext, CoMoments>({
          stage: 'scanning',
          partial: (_ctx, chunk) =>
            chunkCoMoments(
              selected.map(c => floatsOf(chunk, c)),
              'pairwise',
            ),
          merge: mergeCoMoments,
          fold: (_ctx, moments) => ({ matrix: toMatrix(k, (i, j) => pearson(moments[pairIndex(i, j, k)]!)) }),
        }),
      ],
      finish: result,
    }
  return {
    columns: selected,
    start: {},
    rounds: [
      ownerRound<CorrelationContext, (number | null)[][]>({
        stage: 'ranking',
        single: true,
        part() {
          const buffers = selected.map(() => new F64Buffer())
          return {
            add(chunk) {
              selected.forEach((column, i) => {
                const { values } = floatsOf(chunk, column)
                for (let r = 0; r < values.length; r++) buffers[i]!.push(values[r]!)
              })
            },
            async summarize(step) {
              const matrix = spearmanMatrix(buffers.map(b => b.take()))
              await step()
              return matrix
            },
          }
        },
        merge: a => a,
        fold: (_ctx, matrix) => ({ matrix }),
      }),
    ],
    finish: result,
  }
}
