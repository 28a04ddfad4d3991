/** A growable Float64Array, so that collecting values costs no boxing. */
export class F64Buffer {
  private data: Float64Array
  private length = 0

  constructor(capacity = 1024) {
    this.data = new Float64Array(Math.max(16, capacity))
  }

  push(x: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2)
      grown.set(this.data)
      this.data = grown
    }
    this.data[this.length++] = x
  }

  /** Appends a whole array at memory speed. */
  pushAll(values: Float64Array): void {
    if (this.length + values.length > this.data.length) {
      const grown = new Float64Array(Math.max(this.data.length * 2, this.length + values.length))
      grown.set(this.data.subarray(0, this.length))
      this.data = grown
    }
    this.data.set(values, this.length)
    this.length += values.length
  }

  /** The values collected, as a view over the buffer; the buffer must not be used afterwards. */
  take(): Float64Array {
    return this.data.subarray(0, this.length)
  }
}

/** Appends up to `k` evenly spaced non-NaN values of `values` to `out` (a systematic sample). */
export function sampleEvenly(values: Float64Array, k: number, out: number[]): void {
  const step = Math.max(1, Math.floor(values.length / k))
  for (let i = 0; i < values.length; i += step) {
    const x = values[i]!
    if (!Number.isNaN(x)) out.push(x)
  }
}

/**
 * Split points that give each of `parts` owners a similar share of the values, from a sample:
 * part p owns [bounds[p-1], bounds[p]). Equal sample quantiles collapse, leaving a part empty.
 */
export function ownerBounds(sample: readonly number[], parts: number): number[] {
  if (parts <= 1 || sample.length === 0) return []
  const sorted = Float64Array.from(sample).sort()
  const bounds: number[] = []
  for (let p = 1; p < parts; p++) {
    const x = sorted[Math.floor((p * sorted.length) / parts)]!
    if (bounds.length === 0 || x > bounds.at(-1)!) bounds.push(x)
  }
  return bounds
}

/**
 * The values part p owns: [lo, hi). Parts past the last bound own nothing (their bounds
 * collapsed into a neighbour's because the sample held equal values).
 */
export function ownedRange(bounds: readonly number[], part: number): { lo: number; hi: number } {
  if (part > bounds.length) return { lo: Number.POSITIVE_INFINITY, hi: Number.POSITIVE_INFINITY }
  return {
    lo: part === 0 ? Number.NEGATIVE_INFINITY : bounds[part - 1]!,
    hi: part === bounds.length ? Number.POSITIVE_INFINITY : bounds[part]!,
  }
}

/** True when part p owns x; the last part owns +Infinity too. */
export const ownsValue = (range: { lo: number; hi: number }, x: number) =>
  x >= range.lo && (x < range.hi || range.hi === Number.POSITIVE_INFINITY)

/** FNV-1a over UTF-16 units: the same owner for a string in every process. */
export function ownsText(value: string, part: number, parts: number): boolean {
  if (parts <= 1) return true
  let hash = 0x811c9dc5
  for (let i = 0; i < value.length; i++) {
    hash ^= value.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return (hash >>> 0) % parts === part
}
