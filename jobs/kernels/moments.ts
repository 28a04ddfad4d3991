/**
 * Running count, mean and sum of squared deviations (Welford), mergeable across partitions
 * (Chan et al.). Stable where a naive sum of squares is not, e.g. 1e9 plus small noise.
 */
export type Moments = { n: number; mean: number; m2: number }

export const emptyMoments = (): Moments => ({ n: 0, mean: 0, m2: 0 })

export function addValue(m: Moments, x: number): void {
  m.n++
  const delta = x - m.mean
  m.mean += delta / m.n
  m.m2 += delta * (x - m.mean)
}

export function mergeMoments(a: Moments, b: Moments): Moments {
  if (a.n === 0) return { ...b }
  if (b.n === 0) return { ...a }
  const n = a.n + b.n
  const delta = b.mean - a.mean
  return { n, mean: a.mean + (delta * b.n) / n, m2: a.m2 + b.m2 + (delta * delta * a.n * b.n) / n }
}

/** Sample variance (ddof 1), as pandas and NumPy's `var(ddof=1)`; null below two values. */
export const sampleVariance = (m: Moments): number | null => (m.n < 2 ? null : m.m2 / (m.n - 1))

export const sampleStd = (m: Moments): number | null => {
  const v = sampleVariance(m)
  return v === null ? null : Math.sqrt(v)
}

export const meanOf = (m: Moments): number | null => (m.n === 0 ? null : m.mean)
