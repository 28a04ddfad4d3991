import { histogramChart } from '../charts/bar-chart'
import { h } from '../dom'
import { formatCount } from '../format'
import type { HistogramResult } from '../types'

export function histogramView(result: HistogramResult): HTMLElement {
  const total = result.counts.reduce((sum, count) => sum + count, 0)
  return h(
    'div',
    { class: 'result histogram-result' },
    h('p', {}, `${formatCount(total)} values of ${result.column} in ${result.counts.length} bins.`),
    histogramChart(result, `Histogram of ${result.column}`),
  )
}
