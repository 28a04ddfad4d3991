import { h } from '../dom'

type CellContent = Node | string

/** A table in a box that scrolls sideways on narrow screens; numeric columns are right-aligned. */
export function dataTable(options: {
  caption: string
  headers: readonly string[]
  rows: readonly (readonly CellContent[])[]
  numeric?: readonly number[]
  className?: string
}): HTMLElement {
  const numeric = new Set(options.numeric ?? [])
  const cls = (i: number) => (numeric.has(i) ? 'num' : null)
  const table = h(
    'table',
    { class: options.className },
    h('caption', {}, options.caption),
    h('thead', {}, h('tr', {}, ...options.headers.map((text, i) => h('th', { scope: 'col', class: cls(i) }, text)))),
    h('tbody', {}, ...options.rows.map(row => h('tr', {}, ...row.map((cell, i) => h('td', { class: cls(i) }, cell))))),
  )
  return h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': options.caption }, table)
}
