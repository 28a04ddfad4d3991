import { columnView } from '../../src/storage/column-view'
import type { HistogramParams } from '../../src/tasks/analyses'
import { type ColumnRef, chunkRound, type Kernel } from './kernel'
import { binValues, histogramEdges } from './stats/binning'
import { maxOf, minOf } from './stats/min-max'

type Range = { min: number | null; max: number | null }
type HistogramContext = { edges?: number[]; counts?: number[] }
export type HistogramResult = { column: string; edges: number[]; counts: number[] }

/** `numpy.histogram(values, bins)`: one pass for the range, one to count into equal-width bins. */
export function histogramKernel(
  params: HistogramParams,
  columns: ColumnRef[],
): Kernel<HistogramContext, HistogramResult> {
  const column = columns.find(c => c.name === params.column)!
  const bins = params.bins ?? 20
  const values = (chunk: Parameters<typeof columnView>[0]) => columnView(chunk, column.index, 'number').values
  return {
    columns: [column],
    start: {},
    rounds: [
      chunkRound<HistogramContext, Range>({
        stage: 'scanning',
        partial(_ctx, chunk) {
          const xs = values(chunk)
          let min = Number.POSITIVE_INFINITY
          let max = Number.NEGATIVE_INFINITY
          for (let i = 0; i < xs.length; i++) {
            const x = xs[i]!
            if (x < min) min = x
            if (x > max) max = x
          }
          return min <= max ? { min, max } : { min: null, max: null }
        },
        merge: (a, b) => ({ min: minOf(a.min, b.min), max: maxOf(a.max, b.max) }),
        fold: (ctx, range) => ({ ...ctx, edges: histogramEdges(range.min, range.max, bins) }),
      }),
      chunkRound<HistogramContext, number[]>({
        stage: 'binning',
        partial(ctx, chunk) {
          const counts = new Array<number>(bins).fill(0)
          binValues(values(chunk), ctx.edges!, counts)
          return counts
        },
        merge: (a, b) => a.map((c, i) => c + b[i]!),
        fold: (ctx, counts) => ({ ...ctx, counts }),
      }),
    ],
    finish: ctx => ({ column: column.name, edges: ctx.edges!, counts: ctx.counts! }),
  }
}
