/**
 * Count, mean and sum of squared deviations, updated one value at a time (Welford) and
 * mergeable across partitions (Chan et al.). Values are accumulated relative to a shift (the
 * first value seen), so a column like 1e9 plus small noise keeps its full precision: a plain
 * running mean near 1e9 can only move in steps of 1.2e-7.
 */
export type Moments = { n: number; shift: number; mean: number; m2: number }

export const emptyMoments = (): Moments => ({ n: 0, shift: 0, mean: 0, m2: 0 })

export function addValue(m: Moments, x: number): void {
  if (m.n === 0) m.shift = x
  m.n++
  const y = x - m.shift
  const delta = y - m.mean
  m.mean += delta / m.n
  m.m2 += delta * (y - m.mean)
}

/**
 * The moments of one array of values (NaN skipped) in two passes: the mean first, then the
 * squared deviations from it. No division per value, and as precise as moments get.
 */
export function momentsOf(values: Float64Array): { moments: Moments; min: number; max: number } {
  const len = values.length
  let n = 0
  let shift = Number.NaN
  let sum = 0
  let min = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY
  for (let i = 0; i < len; i++) {
    const x = values[i]!
    if (Number.isNaN(x)) continue
    if (n === 0) shift = x
    n++
    sum += x - shift
    if (x < min) min = x
    if (x > max) max = x
  }
  if (n === 0) return { moments: emptyMoments(), min, max }
  const mean = sum / n
  let m2 = 0
  for (let i = 0; i < len; i++) {
    const x = values[i]!
    if (Number.isNaN(x)) continue
    const d = x - shift - mean
    m2 += d * d
  }
  return { moments: { n, shift, mean, m2 }, min, max }
}

export function mergeMoments(a: Moments, b: Moments): Moments {
  if (a.n === 0) return { ...b }
  if (b.n === 0) return { ...a }
  const n = a.n + b.n
  // b's mean, re-expressed relative to a's shift
  const bMean = b.shift - a.shift + b.mean
  const delta = bMean - a.mean
  return { n, shift: a.shift, mean: a.mean + (delta * b.n) / n, m2: a.m2 + b.m2 + (delta * delta * a.n * b.n) / n }
}

/** Sample variance (ddof 1), as pandas and NumPy's `var(ddof=1)`; null below two values. */
export const sampleVariance = (m: Moments): number | null => (m.n < 2 ? null : m.m2 / (m.n - 1))

export const sampleStd = (m: Moments): number | null => {
  const v = sampleVariance(m)
  return v === null ? null : Math.sqrt(v)
}

export const meanOf = (m: Moments): number | null => (m.n === 0 ? null : m.shift + m.mean)
