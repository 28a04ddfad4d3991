import { svg } from '../dom'
import { formatNumber } from '../format'
import { extent, linearScale } from './scale'

const WIDTH = 640
const HEIGHT = 80
const PAD = 24

/** A number line with the accepted band between the bounds and each sample outlier as a dot. */
export function boundsChart(lower: number, upper: number, values: readonly number[], label: string): SVGSVGElement {
  const [lo, hi] = extent([lower, upper, ...values]) ?? [0, 1]
  const margin = (hi - lo) * 0.05 || 1
  const x = linearScale([lo - margin, hi + margin], [PAD, WIDTH - PAD])
  const mid = HEIGHT / 2 - 8
  const chart = svg('svg', {
    class: 'chart bounds-chart',
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: 'img',
    'aria-label': label,
  })
  chart.append(
    svg('line', { class: 'axis-line', x1: PAD, x2: WIDTH - PAD, y1: mid, y2: mid }),
    svg('rect', { class: 'band', x: x(lower), y: mid - 10, width: Math.max(1, x(upper) - x(lower)), height: 20 }),
  )
  for (const [value, anchor] of [
    [lower, 'end'],
    [upper, 'start'],
  ] as const)
    chart.append(
      svg('line', { class: 'bound', x1: x(value), x2: x(value), y1: mid - 14, y2: mid + 14 }),
      svg(
        'text',
        { x: x(value) + (anchor === 'end' ? -4 : 4), y: mid + 30, 'text-anchor': anchor },
        formatNumber(value),
      ),
    )
  for (const value of values) {
    const dot = svg('circle', { class: 'outlier', cx: x(value), cy: mid, r: 5 })
    dot.append(svg('title', {}, formatNumber(value)))
    chart.append(dot)
  }
  return chart
}
