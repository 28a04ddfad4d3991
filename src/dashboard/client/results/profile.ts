import { sparkline } from '../charts/sparkline'
import { h } from '../dom'
import { formatCell, formatCount, formatInstant, formatNumber } from '../format'
import type { ProfileColumn, ProfileResult } from '../types'
import { dataTable } from './table'

const stat = (value: number | string | null | undefined) =>
  typeof value === 'string' ? formatInstant(value) : formatNumber(value)

/** A numeric column's sparkline, or the most frequent values of any other. */
function distribution(column: ProfileColumn): Node | string {
  if (column.histogram) return sparkline(column.histogram, `Distribution of ${column.name}`)
  const top = (column.top ?? []).slice(0, 3)
  if (top.length === 0) return '—'
  return h(
    'span',
    { class: 'top-values' },
    top
      .map(
        t => `${typeof t.value === 'string' ? formatInstant(t.value) : formatCell(t.value)} (${formatCount(t.count)})`,
      )
      .join(', '),
  )
}

export function profileView(result: ProfileResult): HTMLElement {
  return h(
    'div',
    { class: 'result profile-result' },
    h('p', {}, `${formatCount(result.row_count)} rows, ${result.columns.length} columns profiled.`),
    dataTable({
      caption: 'Column profile',
      headers: ['Column', 'Type', 'Distribution', 'Count', 'Nulls', 'Distinct', 'Min', 'Mean', 'Max', 'Std'],
      numeric: [3, 4, 5, 6, 7, 8, 9],
      rows: result.columns.map(c => [
        c.name,
        c.type,
        distribution(c),
        formatCount(c.count),
        formatCount(c.nulls),
        formatCount(c.distinct),
        stat(c.min),
        stat(c.mean),
        stat(c.max),
        stat(c.std),
      ]),
    }),
  )
}
