/** Relative pivot below which a system counts as singular: the features are (nearly) collinear. */
const SINGULAR = 1e-12

/**
 * Solves A x = b for a symmetric positive semi-definite A (a cross-product matrix) by Cholesky
 * after scaling A to unit diagonal, which keeps the pivots comparable. Null when A is singular.
 */
export function solveSymmetric(a: number[][], b: number[]): number[] | null {
  const k = b.length
  const scale = a.map((row, i) => Math.sqrt(row[i]!))
  if (scale.some(s => !(s > 0))) return null
  const m = a.map((row, i) => row.map((v, j) => v / (scale[i]! * scale[j]!)))
  const l = Array.from({ length: k }, () => new Array<number>(k).fill(0))
  for (let j = 0; j < k; j++) {
    let d = m[j]![j]!
    for (let p = 0; p < j; p++) d -= l[j]![p]! ** 2
    if (!(d > SINGULAR)) return null
    const root = Math.sqrt(d)
    l[j]![j] = root
    for (let i = j + 1; i < k; i++) {
      let s = m[i]![j]!
      for (let p = 0; p < j; p++) s -= l[i]![p]! * l[j]![p]!
      l[i]![j] = s / root
    }
  }
  // forward then back substitution on the scaled system
  const y = new Array<number>(k)
  for (let i = 0; i < k; i++) {
    let s = b[i]! / scale[i]!
    for (let p = 0; p < i; p++) s -= l[i]![p]! * y[p]!
    y[i] = s / l[i]![i]!
  }
  const x = new Array<number>(k)
  for (let i = k - 1; i >= 0; i--) {
    let s = y[i]!
    for (let p = i + 1; p < k; p++) s -= l[p]![i]! * x[p]!
    x[i] = s / l[i]![i]!
  }
  return x.map((v, i) => v / scale[i]!)
}
