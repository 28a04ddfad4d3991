import { columnView } from '../../src/storage/column-view'
import type { RegressionParams } from '../../src/tasks/analyses'
import { AnalysisError } from './analysis-error'
import { type ColumnRef, chunkRound, type Kernel } from './kernel'
import { type CoMoments, chunkCoMoments, meanX, meanY, mergeCoMoments, pairIndex } from './stats/comoments'
import { solveSymmetric } from './stats/linear-solve'

export type RegressionResult = {
  target: string
  features: string[]
  intercept: number
  coefficients: Record<string, number>
  r2: number | null
  n: number
}
type RegressionContext = { moments?: CoMoments }

/**
 * Ordinary least squares with an intercept, over the rows where the target and every feature
 * are present. One mergeable pass of co-moments (deviations from the means, so the intercept
 * drops out and large offsets lose no precision), then the centred normal equations are solved.
 * A singular design fails the task with the reason instead of giving meaningless numbers.
 */
export function regressionKernel(
  params: RegressionParams,
  columns: ColumnRef[],
): Kernel<RegressionContext, RegressionResult> {
  const byName = (name: string) => columns.find(c => c.name === name)!
  const selected = [...params.features.map(byName), byName(params.target)]
  const p = params.features.length
  const k = p + 1
  return {
    columns: selected,
    start: {},
    rounds: [
      chunkRound<RegressionContext, CoMoments>({
        stage: 'scanning',
        partial: (_ctx, chunk) =>
          chunkCoMoments(
            selected.map(c => columnView(chunk, c.index, 'number')),
            'listwise',
          ),
        merge: mergeCoMoments,
        fold: (_ctx, moments) => ({ moments }),
      }),
    ],
    finish(ctx) {
      const at = (i: number, j: number) => ctx.moments![i <= j ? pairIndex(i, j, k) : pairIndex(j, i, k)]!
      const n = at(0, 0).n
      if (n < p + 1)
        throw new AnalysisError(
          `singular design: ${n} rows have every value present, and ${p} features with an intercept need at least ${p + 1}`,
        )
      const xx = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => at(i, j).sxy))
      const xy = Array.from({ length: p }, (_, i) => at(i, p).sxy)
      const beta = solveSymmetric(xx, xy)
      if (!beta)
        throw new AnalysisError(
          'singular design: the features are collinear (or one is constant), so the coefficients are not determined',
        )
      const means = Array.from({ length: p }, (_, i) => meanX(at(i, p)))
      const yMean = meanY(at(0, p))
      const intercept = yMean - beta.reduce((s, b, i) => s + b * means[i]!, 0)
      const tss = at(p, p).sxx
      const explained = beta.reduce((s, b, i) => s + b * xy[i]!, 0)
      return {
        target: params.target,
        features: params.features,
        intercept,
        coefficients: Object.fromEntries(params.features.map((name, i) => [name, beta[i]!])),
        r2: tss > 0 ? 1 - (tss - explained) / tss : null,
        n,
      }
    },
  }
}
