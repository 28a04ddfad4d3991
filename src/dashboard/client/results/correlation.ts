import { divergingColor, textColorOn } from '../charts/color'
import { h } from '../dom'
import type { CorrelationResult } from '../types'

/** The matrix as a table whose cells are coloured by value: a heat map that stays readable as numbers. */
export function correlationView(result: CorrelationResult): HTMLElement {
  const cell = (value: number | null, row: string, column: string) => {
    const td = h('td', { class: 'heat', title: `${row} × ${column}` }, value === null ? 'n/a' : value.toFixed(2))
    td.style.backgroundColor = divergingColor(value)
    td.style.color = textColorOn(value)
    return td
  }
  const table = h(
    'table',
    { class: 'heatmap' },
    h('caption', {}, `${result.method === 'spearman' ? 'Spearman' : 'Pearson'} correlation`),
    h('thead', {}, h('tr', {}, h('td', {}), ...result.columns.map(name => h('th', { scope: 'col' }, name)))),
    h(
      'tbody',
      {},
      ...result.columns.map((row, i) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, row),
          ...result.columns.map((column, j) => cell(result.matrix[i]?.[j] ?? null, row, column)),
        ),
      ),
    ),
  )
  const legend = h(
    'p',
    { class: 'legend' },
    h('span', { class: 'swatch negative' }),
    '−1',
    h('span', { class: 'swatch zero' }),
    '0',
    h('span', { class: 'swatch positive' }),
    '+1',
  )
  return h(
    'div',
    { class: 'result correlation-result' },
    h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': 'Correlation matrix' }, table),
    legend,
  )
}
