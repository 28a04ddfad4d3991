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

/** Values minus their first value, and their mean: the centred form the dot products use. */
function centred(values: Float64Array): { shift: number; mean: number; dev: Float64Array } {
  const n = values.length
  if (n === 0) return { shift: 0, mean: 0, dev: values }
  const shift = values[0]!
  let sum = 0
  for (let r = 0; r < n; r++) sum += values[r]! - shift
  const mean = sum / n
  const dev = new Float64Array(n)
  for (let r = 0; r < n; r++) dev[r] = values[r]! - shift - mean
  return { shift, mean, dev }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0
  for (let r = 0; r < a.length; r++) s += a[r]! * b[r]!
  return s
}

/** Co-moments of columns with no nulls in the rows given (all of one length). */
function denseCoMoments(columns: Float64Array[]): CoMoments {
  const k = columns.length
  const c = columns.map(centred)
  const out: CoMoments = []
  for (let i = 0; i < k; i++)
    for (let j = i; j < k; j++) {
      const a = c[i]!
      const b = c[j]!
      const sxx = dot(a.dev, a.dev)
      out.push({
        n: columns[i]!.length,
        shiftX: a.shift,
        shiftY: b.shift,
        meanX: a.mean,
        meanY: b.mean,
        sxx,
        syy: i === j ? sxx : dot(b.dev, b.dev),
        sxy: i === j ? sxx : dot(a.dev, b.dev),
      })
    }
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

const hasNull = (values: Float64Array) => {
  for (let r = 0; r < values.length; r++) if (Number.isNaN(values[r]!)) return true
  return false
}

/** Co-moments of one chunk's columns (NaN is null). */
export function chunkCoMoments(columns: Float64Array[], mode: 'pairwise' | 'listwise'): CoMoments {
  const nulls = columns.map(hasNull)
  if (!nulls.some(Boolean)) return denseCoMoments(columns)
  if (mode === 'listwise') {
    const rows = completeRows(columns)
    return denseCoMoments(columns.map(c => gather(c, rows)))
  }
  const k = columns.length
  const out: CoMoments = []
  for (let i = 0; i < k; i++)
    for (let j = i; j < k; j++) {
      if (!nulls[i] && !nulls[j]) {
        out.push(denseCoMoments([columns[i]!, columns[j]!])[1]!)
        continue
      }
      const rows = completeRows(i === j ? [columns[i]!] : [columns[i]!, columns[j]!])
      const pair = denseCoMoments(
        i === j ? [gather(columns[i]!, rows)] : [gather(columns[i]!, rows), gather(columns[j]!, rows)],
      )
      out.push(pair.length === 1 ? pair[0]! : pair[1]!)
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
