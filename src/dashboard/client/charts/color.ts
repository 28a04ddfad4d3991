/** Colours for values in [-1, 1]: blue for negative, white at zero, red for positive. */

type Rgb = readonly [number, number, number]

const NEGATIVE: Rgb = [33, 102, 172]
const ZERO: Rgb = [247, 247, 247]
const POSITIVE: Rgb = [178, 24, 43]

const mix = (a: Rgb, b: Rgb, t: number) => a.map((channel, i) => Math.round(channel + (b[i]! - channel) * t))

/** The colour of a correlation; null (undefined, e.g. a constant column) is a neutral grey. */
export function divergingColor(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return 'rgb(220, 220, 220)'
  const t = Math.max(-1, Math.min(1, value))
  const [r, g, b] = t < 0 ? mix(ZERO, NEGATIVE, -t) : mix(ZERO, POSITIVE, t)
  return `rgb(${r}, ${g}, ${b})`
}

/** Dark text on light cells, light text on dark ones, so every value stays readable. */
export const textColorOn = (value: number | null) => (value !== null && Math.abs(value) > 0.6 ? '#fff' : '#1b1f24')
