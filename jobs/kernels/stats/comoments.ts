/**
 * Co-moments of pairs of columns: for each pair (i, j) over the rows where both are present,
 * n, the means and the sums of squared and crossed deviations from them. Each chunk is done in
 * two passes (means first, then deviations), chunks merge with Chan's formulas, and means are
 * kept relative to a per-partial shift, so data like 1e9 plus noise loses no precision.
 *
 * `pairwise` skips, pair by pair, the rows where either value is null (as pandas' corr does);
 * `listwise` keeps only rows where every column is present (as a regression must).
 */
export type PairMoments = {
  n: number
  shiftX: number
  shiftY: number
  meanX: number
  meanY: number
  sxx: number
  syy: number
  sxy: number
}

/** The upper triangle, row by row: pair (i, j) with i ≤ j is at `pairIndex(i, j, k)`. */
export type CoMoments = PairMoments[]

export const pairIndex = (i: number, j: number, k: number) => i * k - (i * (i - 1)) / 2 + (j - i)

const EMPTY: PairMoments = { n: 0, shiftX: 0, shiftY: 0, meanX: 0, meanY: 0, sxx: 0, syy: 0, sxy: 0 }

/** Reused deviation buffers: chunks are reduced one at a time, so one set per column serves all. */
const scratch: Float64Array[] = []

function scratchFor(column: number, length: number): Float64Array {
  const buffer = scratch[column]
  if (buffer && buffer.length >= length) return buffer.subarray(0, length)
  scratch[column] = new Float64Array(length)
  return scratch[column]!
}

/** Deviations of values from their mean (kept relative to the first value) into `dev`. */
function centre(values: Float64Array, dev: Float64Array): { shift: number; mean: number } {
  const n = values.length
  if (n === 0) return { shift: 0, mean: 0 }
  const shift = values[0]!
  let sum = 0
  for (let r = 0; r < n; r++) sum += values[r]! - shift
  const mean = sum / n
  for (let r = 0; r < n; r++) dev[r] = values[r]! - shift - mean
  return { shift, mean }
}

/** Four running sums, so the loop is not one long chain of dependent additions. */
function dot(a: Float64Array, b: Float64Array): number {
  const n = a.length
  let s0 = 0
  let s1 = 0
  let s2 = 0
  let s3 = 0
  let r = 0
  for (; r + 3 < n; r += 4) {
    s0 += a[r]! * b[r]!
    s1 += a[r + 1]! * b[r + 1]!
    s2 += a[r + 2]! * b[r + 2]!
    s3 += a[r + 3]! * b[r + 3]!
  }
  for (; r < n; r++) s0 += a[r]! * b[r]!
  return s0 + s1 + s2 + s3
}

/** Co-moments of columns with no nulls in the rows given (all of one length). */
function denseCoMoments(columns: Float64Array[]): CoMoments {
  const k = columns.length
  const n = columns[0]?.length ?? 0
  const devs = columns.map((_, i) => scratchFor(i, n))
  const centres = columns.map((values, i) => centre(values, devs[i]!))
  const squares = devs.map(dev => dot(dev, dev))
  const out: CoMoments = []
  for (let i = 0; i < k; i++)
    for (let j = i; j < k; j++)
      out.push({
        n,
        shiftX: centres[i]!.shift,
        shiftY: centres[j]!.shift,
        meanX: centres[i]!.mean,
        meanY: centres[j]!.mean,
        sxx: squares[i]!,
        syy: squares[j]!,
        sxy: i === j ? squares[i]! : dot(devs[i]!, devs[j]!),
      })
  return out
}

/** The rows (indexes) where every given column is present. */
function completeRows(columns: Float64Array[]): Int32Array {
  const n = columns[0]?.length ?? 0
  const keep = new Int32Array(n)
  let m = 0
  for (let r = 0; r < n; r++) {
    let ok = true
    for (const column of columns) if (Number.isNaN(column[r]!)) ok = false
    if (ok) keep[m++] = r
  }
  return keep.subarray(0, m)
}

const gather = (values: Float64Array, rows: Int32Array) => {
  const out = new Float64Array(rows.length)
  for (let r = 0; r < rows.length; r++) out[r] = values[rows[r]!]!
  return out
}

/** Co-moments of one chunk's columns (NaN is null, `nullCount` says whether there are any). */
export function chunkCoMoments(
  columns: { values: Float64Array; nullCount: number }[],
  mode: 'pairwise' | 'listwise',
): CoMoments {
  const values = columns.map(c => c.values)
  const nulls = columns.map(c => c.nullCount > 0)
  if (!nulls.some(Boolean)) return denseCoMoments(values)
  if (mode === 'listwise') {
    const rows = completeRows(values)
    return denseCoMoments(values.map(c => gather(c, rows)))
  }
  const k = columns.length
  const out: CoMoments = []
  for (let i = 0; i < k; i++)
    for (let j = i; j < k; j++) {
      const x = values[i]!
      const y = values[j]!
      if (i === j) {
        out.push(denseCoMoments([nulls[i] ? gather(x, completeRows([x])) : x])[0]!)
        continue
      }
      if (!nulls[i] && !nulls[j]) {
        out.push(denseCoMoments([x, y])[1]!)
        continue
      }
      const rows = completeRows([x, y])
      out.push(denseCoMoments([gather(x, rows), gather(y, rows)])[1]!)
    }
  return out
}

export function mergePair(a: PairMoments, b: PairMoments): PairMoments {
  if (a.n === 0) return b.n === 0 ? EMPTY : { ...b }
  if (b.n === 0) return { ...a }
  const n = a.n + b.n
  // b's means, re-expressed relative to a's shifts
  const dx = b.shiftX - a.shiftX + b.meanX - a.meanX
  const dy = b.shiftY - a.shiftY + b.meanY - a.meanY
  const w = (a.n * b.n) / n
  return {
    n,
    shiftX: a.shiftX,
    shiftY: a.shiftY,
    meanX: a.meanX + (dx * b.n) / n,
    meanY: a.meanY + (dy * b.n) / n,
    sxx: a.sxx + b.sxx + dx * dx * w,
    syy: a.syy + b.syy + dy * dy * w,
    sxy: a.sxy + b.sxy + dx * dy * w,
  }
}

export const mergeCoMoments = (a: CoMoments, b: CoMoments): CoMoments => a.map((pair, i) => mergePair(pair, b[i]!))

/** Pearson's r of a pair; null where it is undefined (fewer than two rows, or a constant column). */
export function pearson(p: PairMoments): number | null {
  const divisor = Math.sqrt(p.sxx * p.syy)
  return p.n < 2 || divisor === 0 ? null : p.sxy / divisor
}

export const meanX = (p: PairMoments) => p.shiftX + p.meanX
export const meanY = (p: PairMoments) => p.shiftY + p.meanY
