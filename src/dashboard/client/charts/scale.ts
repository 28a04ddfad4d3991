/** Scales and ticks for the hand-drawn charts. Pure functions, unit-tested. */

export type Scale = (value: number) => number

/** Maps [d0, d1] onto [r0, r1] linearly; a domain of one value maps to the middle of the range. */
export function linearScale([d0, d1]: readonly [number, number], [r0, r1]: readonly [number, number]): Scale {
  if (d0 === d1) return () => (r0 + r1) / 2
  const k = (r1 - r0) / (d1 - d0)
  return value => r0 + (value - d0) * k
}

/** A round step (1, 2 or 5 times a power of ten) that cuts `span` into about `count` parts. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || count < 1) return 1
  const raw = span / count
  const power = 10 ** Math.floor(Math.log10(raw))
  const fraction = raw / power
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
  return nice * power
}

/** Round tick values inside [min, max], about `count` of them. */
export function ticks(min: number, max: number, count = 4): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max < min) return []
  if (min === max) return [min]
  const step = niceStep(max - min, count)
  const first = Math.ceil(min / step) * step
  const out: number[] = []
  // multiply rather than add, so rounding errors do not pile up
  for (let i = 0; first + i * step <= max + step * 1e-9; i++) out.push(Number((first + i * step).toPrecision(12)))
  return out
}

/** The smallest and largest of the finite numbers given, or null when there are none. */
export function extent(values: Iterable<number | null | undefined>): [number, number] | null {
  let min = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY
  for (const value of values) {
    if (typeof value !== 'number' || !Number.isFinite(value)) continue
    if (value < min) min = value
    if (value > max) max = value
  }
  return min <= max ? [min, max] : null
}
