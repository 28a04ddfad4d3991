import { api, query } from '../api'
import { h, replaceChildren } from '../dom'
import { formatCell, formatCount, formatInstant } from '../format'
import { ownValue } from '../own-value'
import { dataTable } from '../results/table'
import type { Cell, Dataset, RowsPage } from '../types'
import { emptyState, errorState, loadingState } from './states'

const PAGE_SIZE = 25

/** The dataset's rows a page at a time, read with `GET …/rows?offset=&limit=`. */
export function rowsPreview(dataset: Dataset, signal: AbortSignal): HTMLElement {
  const body = h('div', { class: 'rows-body' })
  const previous = h('button', { type: 'button', class: 'secondary' }, 'Previous rows')
  const next = h('button', { type: 'button', class: 'secondary' }, 'Next rows')
  const position = h('span', { class: 'page-label', 'aria-live': 'polite' })
  const pager = h('nav', { class: 'pager', 'aria-label': 'Row pages' }, previous, position, next)
  let offset = 0

  async function load() {
    replaceChildren(body, loadingState('rows'))
    try {
      const page = await api<RowsPage>(`/api/datasets/${dataset.id}/rows${query({ offset, limit: PAGE_SIZE })}`, {
        signal,
      })
      const columns = dataset.columns.map(c => c.name)
      const datetimes = new Set(dataset.columns.filter(c => c.type === 'datetime').map(c => c.name))
      const cell = (row: Record<string, Cell>, column: string) => {
        const value = ownValue(row, column)
        return datetimes.has(column) && typeof value === 'string' ? formatInstant(value) : formatCell(value)
      }
      const numeric = dataset.columns.flatMap((c, i) => (c.type === 'integer' || c.type === 'number' ? [i + 1] : []))
      replaceChildren(
        body,
        dataTable({
          caption: `Rows ${formatCount(offset + 1)}–${formatCount(offset + page.data.length)} of ${formatCount(page.total)}`,
          headers: ['#', ...columns],
          numeric: [0, ...numeric],
          className: 'rows',
          rows: page.data.map((row, i) => [formatCount(offset + i + 1), ...columns.map(c => cell(row, c))]),
        }),
      )
      position.textContent = `${formatCount(offset + 1)}–${formatCount(offset + page.data.length)} of ${formatCount(page.total)}`
      previous.disabled = offset === 0
      next.disabled = offset + PAGE_SIZE >= page.total
    } catch (error) {
      if (!signal.aborted) replaceChildren(body, errorState('The rows could not be loaded', error, load))
    }
  }

  previous.addEventListener('click', () => {
    offset = Math.max(0, offset - PAGE_SIZE)
    void load()
  })
  next.addEventListener('click', () => {
    offset += PAGE_SIZE
    void load()
  })

  const section = h(
    'section',
    { class: 'card', 'aria-labelledby': 'rows-title' },
    h('h2', { id: 'rows-title' }, 'Rows'),
  )
  if (dataset.status === 'empty' || dataset.row_count === 0)
    section.append(emptyState(h('p', {}, 'This dataset has no data yet.')))
  else {
    section.append(body, pager)
    void load()
  }
  return section
}
