import { svg } from '../dom'
import type { Histogram } from '../types'

const WIDTH = 120
const HEIGHT = 28

/** A column's distribution as tiny bars, for a row of the profile table. */
export function sparkline(histogram: Histogram, label: string): SVGSVGElement {
  const top = Math.max(1, ...histogram.counts)
  const width = WIDTH / Math.max(1, histogram.counts.length)
  const chart = svg('svg', {
    class: 'sparkline',
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    width: WIDTH,
    height: HEIGHT,
    role: 'img',
    'aria-label': label,
  })
  histogram.counts.forEach((count, i) => {
    // a non-empty bin gets at least a sliver, so a lone value is never invisible
    const height = count === 0 ? 0 : Math.max(1, (count / top) * HEIGHT)
    chart.append(svg('rect', { x: i * width, y: HEIGHT - height, width: Math.max(0.5, width - 1), height }))
  })
  return chart
}
