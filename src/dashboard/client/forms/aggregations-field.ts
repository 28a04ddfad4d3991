import { h, replaceChildren, uniqueId } from '../dom'
import type { Column } from '../types'
import type { Field } from './fields'

export const GROUPBY_FUNCTIONS = ['count', 'sum', 'mean', 'min', 'max', 'std', 'median'] as const

export type Aggregation = { column: string; fn: string }

/** Rows of (function, column) for a group-by, added and removed with buttons. */
export function aggregationsField(columns: readonly Column[], first?: Aggregation): Field<Aggregation[]> {
  const list = h('ol', { class: 'aggregations' })
  const rows: { element: HTMLElement; fn: HTMLSelectElement; column: HTMLSelectElement }[] = []
  const errors = h('p', { class: 'field-error', id: uniqueId('error'), hidden: true })

  function addRow(initial?: Aggregation) {
    const number = rows.length + 1
    const fn = h(
      'select',
      { 'aria-label': `Function ${number}` },
      ...GROUPBY_FUNCTIONS.map(f => h('option', { value: f }, f)),
    )
    const column = h(
      'select',
      { 'aria-label': `Column ${number}` },
      ...columns.map(c => h('option', { value: c.name }, `${c.name} (${c.type})`)),
    )
    if (initial) {
      fn.value = initial.fn
      column.value = initial.column
    }
    const remove = h(
      'button',
      { type: 'button', class: 'quiet', 'aria-label': `Remove aggregation ${number}` },
      'Remove',
    )
    const row = { element: h('li', {}, fn, h('span', { 'aria-hidden': 'true' }, 'of'), column, remove), fn, column }
    remove.addEventListener('click', () => {
      rows.splice(rows.indexOf(row), 1)
      row.element.remove()
      add.focus()
    })
    rows.push(row)
    list.append(row.element)
    return row
  }

  const add = h('button', { type: 'button', class: 'quiet' }, 'Add aggregation')
  add.addEventListener('click', () => addRow().fn.focus())
  if (columns.length > 0) addRow(first)

  const element = h(
    'fieldset',
    { class: 'field', 'aria-describedby': errors.id },
    h('legend', {}, 'Aggregations'),
    list,
    add,
    errors,
  )
  return {
    key: 'aggregations',
    element,
    read: () => rows.map(r => ({ column: r.column.value, fn: r.fn.value })),
    showErrors(messages) {
      replaceChildren(errors, messages.join(' '))
      errors.hidden = messages.length === 0
    },
    focus: () => (rows[0]?.fn ?? add).focus(),
  }
}
