import { h } from '../dom'
import { dataTable } from '../results/table'
import type { Dataset } from '../types'
import { emptyState } from './states'

export function schemaTable(dataset: Dataset): HTMLElement {
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'schema-title' },
    h('h2', { id: 'schema-title' }, 'Schema'),
    dataset.columns.length === 0
      ? emptyState(h('p', {}, 'No columns: upload data to give the dataset a schema.'))
      : dataTable({
          caption: `${dataset.columns.length} columns`,
          headers: ['Column', 'Type', 'Nulls'],
          className: 'schema',
          rows: dataset.columns.map(c => [c.name, c.type, c.nullable ? 'yes' : 'no']),
        }),
  )
}
