import { h } from '../dom'
import { formatCount, formatNumber } from '../format'
import { ownValue } from '../own-value'
import type { RegressionResult } from '../types'
import { dataTable } from './table'

export function regressionView(result: RegressionResult): HTMLElement {
  const r2 = h('meter', { min: 0, max: 1, value: Math.max(0, result.r2), 'aria-label': 'R squared' })
  return h(
    'div',
    { class: 'result regression-result' },
    h(
      'dl',
      { class: 'figures' },
      h('div', {}, h('dt', {}, 'R²'), h('dd', { class: 'r2' }, formatNumber(result.r2), ' ', r2)),
      h('div', {}, h('dt', {}, 'Rows used'), h('dd', {}, formatCount(result.n))),
      h('div', {}, h('dt', {}, 'Intercept'), h('dd', {}, formatNumber(result.intercept))),
    ),
    dataTable({
      caption: `Coefficients for ${result.target}`,
      headers: ['Feature', 'Coefficient'],
      numeric: [1],
      rows: result.features.map(f => [f, formatNumber(ownValue(result.coefficients, f))]),
    }),
  )
}
