import { h } from '../dom'
import type { Task } from '../types'

/** Saves the task's result as a JSON file, made in the page from what it already holds. */
export function resultDownloadButton(task: Task): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'secondary' }, 'Download JSON')
  button.addEventListener('click', () => {
    const blob = new Blob([`${JSON.stringify(task.result, null, 2)}\n`], { type: 'application/json' })
    const link = h('a', { download: `${task.kind}-${task.id}.json` })
    link.href = URL.createObjectURL(blob)
    link.click()
    // the download has its own copy once started; the URL can go on the next turn
    setTimeout(() => URL.revokeObjectURL(link.href), 0)
  })
  return button
}
