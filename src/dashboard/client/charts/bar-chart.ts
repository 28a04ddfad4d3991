import { svg } from '../dom'
import { formatCount, formatNumber } from '../format'
import type { Histogram } from '../types'
import { linearScale, ticks } from './scale'

const WIDTH = 640
const HEIGHT = 260
const MARGIN = { top: 12, right: 12, bottom: 36, left: 56 }

/**
 * A histogram as bars over its bin edges, with both axes labelled. The SVG scales to its
 * container's width (viewBox), so it fits a phone as well as a desktop.
 */
export function histogramChart(histogram: Histogram, label: string): SVGSVGElement {
  const { edges, counts } = histogram
  const lo = edges[0] ?? 0
  const hi = edges.at(-1) ?? 1
  const top = Math.max(1, ...counts)
  const x = linearScale([lo, hi], [MARGIN.left, WIDTH - MARGIN.right])
  const y = linearScale([0, top], [HEIGHT - MARGIN.bottom, MARGIN.top])

  const chart = svg('svg', {
    class: 'chart histogram-chart',
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: 'img',
    'aria-label': label,
  })
  counts.forEach((count, i) => {
    const left = x(edges[i]!)
    const right = edges.length > 1 ? x(edges[i + 1]!) : WIDTH - MARGIN.right
    const bar = svg('rect', {
      class: 'bar',
      x: left + 0.5,
      y: y(count),
      width: Math.max(1, right - left - 1),
      height: y(0) - y(count),
    })
    bar.append(svg('title', {}, `${formatNumber(edges[i])} – ${formatNumber(edges[i + 1])}: ${formatCount(count)}`))
    chart.append(bar)
  })

  const axis = svg('g', { class: 'axis', 'aria-hidden': 'true' })
  axis.append(svg('line', { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(0), y2: y(0) }))
  for (const tick of ticks(lo, hi, 5))
    axis.append(
      svg('text', { x: x(tick), y: HEIGHT - MARGIN.bottom + 20, 'text-anchor': 'middle' }, formatNumber(tick)),
    )
  for (const tick of ticks(0, top, 4).filter(Number.isInteger))
    axis.append(
      svg('line', { class: 'grid', x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(tick), y2: y(tick) }),
      svg('text', { x: MARGIN.left - 8, y: y(tick) + 4, 'text-anchor': 'end' }, formatCount(tick)),
    )
  chart.append(axis)
  return chart
}
