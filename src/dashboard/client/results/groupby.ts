import { h } from '../dom'
import { formatCell, formatCount } from '../format'
import { ownValue } from '../own-value'
import type { GroupbyResult } from '../types'
import { dataTable } from './table'

/**
 * The output columns in the order they were asked for: the keys, then one per aggregation. Rows
 * come back from storage with their keys reordered, so the order is taken from the params.
 */
export function groupbyColumns(
  result: GroupbyResult,
  aggregations: readonly { column: string; fn: string }[],
): string[] {
  const outputs = aggregations.map(a => `${a.fn}_${a.column}`)
  const rest = Object.keys(result.rows[0] ?? {}).filter(key => !result.by.includes(key) && !outputs.includes(key))
  return [...result.by, ...outputs, ...rest.sort()]
}

export function groupbyView(
  result: GroupbyResult,
  aggregations: readonly { column: string; fn: string }[],
): HTMLElement {
  const columns = groupbyColumns(result, aggregations)
  const keyCount = result.by.length
  return h(
    'div',
    { class: 'result groupby-result' },
    h('p', {}, `${formatCount(result.rows.length)} groups.`),
    dataTable({
      caption: `Grouped by ${result.by.join(', ')}`,
      headers: columns,
      numeric: columns.map((_, i) => i).filter(i => i >= keyCount),
      rows: result.rows.map(row => columns.map(c => formatCell(ownValue(row, c)))),
    }),
  )
}
