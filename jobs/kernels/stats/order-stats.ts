/** NumPy's `_lerp`: the two-sided form keeps results monotonic and exact at t = 0 and t = 1. */
export function lerp(a: number, b: number, t: number): number {
  const diff = b - a
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t
}

/**
 * The ranks that NumPy's linear quantile reads for q over n sorted values, and the weight of
 * the upper one: value = lerp(sorted[lo], sorted[hi], gamma).
 */
export function quantileRanks(n: number, q: number): { lo: number; hi: number; gamma: number } {
  const virtual = (n - 1) * q
  const lo = Math.min(Math.max(Math.floor(virtual), 0), n - 1)
  const hi = Math.min(lo + 1, n - 1)
  return { lo, hi, gamma: virtual - lo }
}

/** pandas' group median: the middle value, or the mean of the two middle values. */
export function medianSorted(sorted: ArrayLike<number>): number | null {
  const n = sorted.length
  if (n === 0) return null
  const mid = n >> 1
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Distinct values of an ascending array (-0 and 0 count as one, as in pandas). */
export function distinctSorted(sorted: ArrayLike<number>): number {
  let distinct = 0
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct++
  return distinct
}

/** Compares strings by Unicode code point, not UTF-16 unit, so astral characters sort last. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    const xs = x >= 0xd800 && x <= 0xdfff
    const ys = y >= 0xd800 && y <= 0xdfff
    // A surrogate stands for a code point above U+FFFF, so it outranks any other unit.
    if (xs !== ys) return xs ? 1 : -1
    return x - y
  }
  return a.length - b.length
}
