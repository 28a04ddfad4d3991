import type { StoredChunk } from '../../src/storage/chunk-store'
import { columnView } from '../../src/storage/column-view'
import type { OutliersParams } from '../../src/tasks/analyses'
import { type ColumnRef, chunkRound, type Kernel, ownerRound, type Round } from './kernel'
import { OwnedValues, planRanks, quantileFrom, type RankPlan } from './stats/exact-quantiles'
import { type Moments, meanOf, mergeMoments, momentsOf, sampleStd } from './stats/moments'
import { sampleEvenly } from './stats/ownership'

const SAMPLE_ROWS = 20
const SAMPLE_PER_CHUNK = 64

type Bounds = { lower: number | null; upper: number | null }
type Found = { count: number; rows: { row: number; value: number }[] }
type OutliersContext = { n?: number; plan?: RankPlan; bounds?: Bounds; found?: Found }
type Counted = { n: number; sample: number[] }

export type OutliersResult = {
  column: string
  method: 'iqr' | 'zscore'
  lower: number | null
  upper: number | null
  count: number
  sample_rows: { row: number; value: number }[]
}

/**
 * Values outside the bounds, strictly (a value equal to a bound is not an outlier), with the
 * first 20 in row order. IQR bounds need exact quartiles (a count, then an owning round that
 * finds the values at their ranks); z-score bounds need the mean and sample std.
 */
export function outliersKernel(params: OutliersParams, columns: ColumnRef[]): Kernel<OutliersContext, OutliersResult> {
  const column = columns.find(c => c.name === params.column)!
  const threshold = params.threshold!
  const values = (chunk: StoredChunk) => columnView(chunk, column.index, 'number').values

  const findRound = chunkRound<OutliersContext, Found>({
    stage: 'counting',
    partial(ctx, chunk) {
      const { lower, upper } = ctx.bounds!
      const found: Found = { count: 0, rows: [] }
      if (lower === null || upper === null) return found
      const xs = values(chunk)
      for (let i = 0; i < xs.length; i++) {
        const x = xs[i]!
        if (!(x < lower || x > upper)) continue
        found.count++
        if (found.rows.length < SAMPLE_ROWS) found.rows.push({ row: chunk.rowStart + i, value: x })
      }
      return found
    },
    // chunks merge in row order, so the first rows found are the first rows of the data
    merge: (a, b) => ({ count: a.count + b.count, rows: a.rows.concat(b.rows).slice(0, SAMPLE_ROWS) }),
    fold: (ctx, found) => ({ ...ctx, found }),
  })

  const boundRounds: Round<OutliersContext>[] =
    params.method === 'zscore'
      ? [
          chunkRound<OutliersContext, Moments>({
            stage: 'scanning',
            partial: (_ctx, chunk) => momentsOf(values(chunk)).moments,
            merge: mergeMoments,
            fold(ctx, m) {
              const mean = meanOf(m)
              const std = sampleStd(m)
              const bounds =
                mean === null || std === null
                  ? { lower: null, upper: null }
                  : { lower: mean - threshold * std, upper: mean + threshold * std }
              return { ...ctx, bounds }
            },
          }),
        ]
      : [
          chunkRound<OutliersContext, Counted>({
            stage: 'scanning',
            partial(_ctx, chunk) {
              const xs = values(chunk)
              let n = 0
              for (let i = 0; i < xs.length; i++) if (!Number.isNaN(xs[i]!)) n++
              const sample: number[] = []
              sampleEvenly(xs, SAMPLE_PER_CHUNK, sample)
              return { n, sample }
            },
            merge: (a, b) => ({ n: a.n + b.n, sample: a.sample.concat(b.sample) }),
            fold: (ctx, { n, sample }, nextParts) => ({
              ...ctx,
              n,
              plan: planRanks(n, sample, [0.25, 0.75], nextParts),
            }),
          }),
          ownerRound<OutliersContext, Record<string, number>>({
            stage: 'ordering',
            part(ctx, part) {
              const owned = new OwnedValues(ctx.plan!, part)
              return {
                add(chunk) {
                  const { values: xs, nullCount } = columnView(chunk, column.index, 'number')
                  owned.add(xs, nullCount)
                },
                summarize: async () => owned.sort(ctx.plan!).at,
              }
            },
            merge: (a, b) => ({ ...a, ...b }),
            fold(ctx, at) {
              const q1 = quantileFrom(at, ctx.n!, 0.25)
              const q3 = quantileFrom(at, ctx.n!, 0.75)
              const bounds =
                q1 === null || q3 === null
                  ? { lower: null, upper: null }
                  : { lower: q1 - threshold * (q3 - q1), upper: q3 + threshold * (q3 - q1) }
              return { ...ctx, plan: undefined, bounds }
            },
          }),
        ]

  return {
    columns: [column],
    start: {},
    rounds: [...boundRounds, findRound],
    finish: ctx => ({
      column: column.name,
      method: params.method,
      lower: ctx.bounds!.lower,
      upper: ctx.bounds!.upper,
      count: ctx.found!.count,
      sample_rows: ctx.found!.rows,
    }),
  }
}
