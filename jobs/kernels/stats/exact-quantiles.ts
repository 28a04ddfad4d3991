import { lerp, quantileRanks } from './order-stats'
import { F64Buffer, ownedRange, ownerBounds, ownsValue } from './ownership'

/**
 * Exact order statistics of a numeric column, split by value range. A chunk round counts the
 * values and keeps an evenly spaced sample; from that, `planRanks` decides which ranks the
 * quantiles need and where each owning part's value range starts; each part then sorts only
 * the values it owns and reports those that sit at the wanted ranks. No part ever sees
 * another's values, and the answer is exact, not estimated.
 */
export type RankPlan = { n: number; bounds: number[]; ranks: number[] }

export function planRanks(n: number, sample: readonly number[], quantiles: readonly number[], parts: number): RankPlan {
  const ranks = n === 0 ? [] : [...new Set(quantiles.flatMap(q => [quantileRanks(n, q).lo, quantileRanks(n, q).hi]))]
  return { n, bounds: ownerBounds(sample, parts), ranks }
}

/** The values one part owns, with how many values fall below its range. */
export class OwnedValues {
  private readonly range: { lo: number; hi: number }
  private readonly owned: F64Buffer
  private readonly all: boolean
  private below = 0

  constructor(plan: RankPlan, part: number) {
    this.range = ownedRange(plan.bounds, part)
    this.all = plan.bounds.length === 0 && part === 0
    this.owned = new F64Buffer(this.all ? plan.n : Math.ceil((plan.n / (plan.bounds.length + 1)) * 1.25))
  }

  /** `nullCount` 0 lets a part that owns everything copy the values whole. */
  add(values: Float64Array, nullCount: number): void {
    const { range, owned } = this
    if (this.all && nullCount === 0) {
      owned.pushAll(values)
      return
    }
    for (let i = 0; i < values.length; i++) {
      const x = values[i]!
      if (Number.isNaN(x)) continue
      if (x < range.lo) this.below++
      else if (ownsValue(range, x)) owned.push(x)
    }
  }

  /** Sorts the owned values; `at` maps each wanted rank that falls in this part to its value. */
  sort(plan: RankPlan): { sorted: Float64Array; at: Record<string, number> } {
    const sorted = this.owned.take().sort()
    const at: Record<string, number> = {}
    for (const rank of plan.ranks) {
      const local = rank - this.below
      if (local >= 0 && local < sorted.length) at[rank] = sorted[local]!
    }
    return { sorted, at }
  }
}

/** The linear-interpolation quantile from the values found at its ranks. */
export function quantileFrom(at: Readonly<Record<string, number>>, n: number, q: number): number | null {
  if (n === 0) return null
  const { lo, hi, gamma } = quantileRanks(n, q)
  return lerp(at[lo]!, at[hi]!, gamma)
}
