/**
 * Equal-width histogram with NumPy's exact semantics: edges from `numpy.linspace(min, max,
 * bins + 1)` (a constant range is widened by 0.5 each side, an empty one is [0, 1]), every bin
 * half-open except the last, and NumPy's correction of the index near edges.
 */
export type Histogram = { edges: number[]; counts: number[] }

export function histogramEdges(min: number | null, max: number | null, bins: number): number[] {
  let first = min ?? 0
  let last = max ?? 1
  if (first === last) {
    first -= 0.5
    last += 0.5
  }
  const step = (last - first) / bins
  const edges = new Array<number>(bins + 1)
  for (let i = 0; i < bins; i++) edges[i] = i * step + first
  edges[bins] = last
  return edges
}

/** Counts values into the bins of `edges`; values outside [first, last] and NaN are skipped. */
export function binValues(values: ArrayLike<number>, edges: readonly number[], counts: number[]): void {
  const bins = edges.length - 1
  const first = edges[0]!
  const last = edges[bins]!
  const width = last - first
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!
    if (!(x >= first && x <= last)) continue
    let index = Math.trunc(((x - first) / width) * bins)
    if (index === bins) index--
    if (x < edges[index]!) index--
    else if (index !== bins - 1 && x >= edges[index + 1]!) index++
    counts[index]!++
  }
}

/** First index of an ascending array whose value is ≥ x. */
function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid]! < x) lo = mid + 1
    else hi = mid
  }
  return lo
}

/**
 * The same counts as `binValues` for values already in ascending order, found by searching for
 * each edge instead of placing each value: bin i holds edges[i] ≤ x < edges[i + 1], the last
 * bin its right edge too.
 */
export function binSorted(sorted: Float64Array, edges: readonly number[], counts: number[]): void {
  const bins = edges.length - 1
  let start = lowerBound(sorted, edges[0]!)
  for (let i = 0; i < bins; i++) {
    const end = i === bins - 1 ? upperBound(sorted, edges[bins]!) : lowerBound(sorted, edges[i + 1]!)
    counts[i]! += Math.max(0, end - start)
    start = Math.max(start, end)
  }
}

/** First index of an ascending array whose value is > x. */
function upperBound(sorted: Float64Array, x: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid]! <= x) lo = mid + 1
    else hi = mid
  }
  return lo
}
