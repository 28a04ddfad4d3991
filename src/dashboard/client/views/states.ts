import { ApiError } from '../api'
import { h } from '../dom'

/** The text to show for a failure: the API's own words when it sent a problem. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message
  return error instanceof Error ? error.message : String(error)
}

/** A failure to load something, with a way to try again. */
export function errorState(what: string, error: unknown, retry?: () => void): HTMLElement {
  const box = h(
    'div',
    { class: 'state error-state', role: 'alert' },
    h('p', {}, h('strong', {}, `${what}. `), messageOf(error)),
  )
  if (retry) {
    const button = h('button', { type: 'button', class: 'secondary' }, 'Try again')
    button.addEventListener('click', retry)
    box.append(button)
  }
  return box
}

/** Nothing to show yet, and what to do about it. */
export const emptyState = (...children: (Node | string)[]) => h('div', { class: 'state empty-state' }, ...children)

export const loadingState = (what: string) => h('p', { class: 'state loading', role: 'status' }, `Loading ${what}…`)
