/**
 * Average ranks, 1-based, of the values present (NaN stays NaN): ties share the mean of the
 * ranks they span, as pandas' `rank()` and scipy's `rankdata` give them. Sorting a copy is
 * native and fast; each value then finds its run of equals by binary search.
 */
export function averageRanks(values: Float64Array): Float64Array {
  let present = 0
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) present++
  const sorted = new Float64Array(present)
  let k = 0
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) sorted[k++] = values[i]!
  sorted.sort()
  const ranks = new Float64Array(values.length)
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!
    if (Number.isNaN(x)) {
      ranks[i] = Number.NaN
      continue
    }
    const first = lowerBound(sorted, x)
    const end = upperBound(sorted, x, first)
    // ranks first+1 … end, averaged
    ranks[i] = (first + 1 + end) / 2
  }
  return ranks
}

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

function upperBound(sorted: Float64Array, x: number, from: number): number {
  let lo = from
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid]! <= x) lo = mid + 1
    else hi = mid
  }
  return lo
}
