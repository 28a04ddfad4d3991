import { boundsChart } from '../charts/bounds-chart'
import { h } from '../dom'
import { formatCount, formatNumber } from '../format'
import type { OutliersResult } from '../types'
import { dataTable } from './table'

export function outliersView(result: OutliersResult): HTMLElement {
  const values = result.sample_rows.map(r => r.value)
  return h(
    'div',
    { class: 'result outliers-result' },
    h(
      'dl',
      { class: 'figures' },
      h('div', {}, h('dt', {}, 'Outliers'), h('dd', {}, formatCount(result.count))),
      h('div', {}, h('dt', {}, 'Lower bound'), h('dd', {}, formatNumber(result.lower))),
      h('div', {}, h('dt', {}, 'Upper bound'), h('dd', {}, formatNumber(result.upper))),
    ),
    boundsChart(result.lower, result.upper, values, `Bounds of ${result.column} and sample outliers`),
    result.sample_rows.length === 0
      ? h('p', { class: 'empty' }, 'No value lies outside the bounds.')
      : dataTable({
          caption: `Sample outliers of ${result.column} (up to 20)`,
          // counted from 1, as the rows preview counts them (the API's index counts from 0)
          headers: ['#', result.column],
          numeric: [0, 1],
          rows: result.sample_rows.map(r => [formatCount(r.row + 1), String(r.value)]),
        }),
  )
}
