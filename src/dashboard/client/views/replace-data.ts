import { h, replaceChildren } from '../dom'
import { formatCount } from '../format'
import type { Dataset } from '../types'
import { replaceData } from '../upload'
import { fileDrop } from './file-drop'
import { messageOf } from './states'
import { uploadProgress } from './upload-progress'
import type { ViewContext } from './view'

/**
 * Gives a dataset data, or new data in place of its old: the file goes up as it is, and the API
 * swaps the data only once all of it is stored, so a failed upload leaves the old data as it was.
 */
export function replaceDataPanel(dataset: Dataset, context: ViewContext, onReplaced: (dataset: Dataset) => void) {
  let file: File | null = null
  const drop = fileDrop('replace-file', picked => {
    file = picked
  })
  const summary = h('div', { class: 'form-error', role: 'alert', hidden: true })
  const progress = uploadProgress()
  const submit = h('button', { type: 'submit' }, dataset.status === 'empty' ? 'Upload data' : 'Replace data')
  const title = dataset.status === 'empty' ? 'Add data' : 'Replace the data'
  const form = h(
    'form',
    { class: 'card', novalidate: true, 'aria-labelledby': 'replace-title' },
    h('h2', { id: 'replace-title' }, title),
    dataset.status === 'empty'
      ? null
      : h('p', { class: 'hint' }, 'The columns come from the new file; analyses already run keep their results.'),
    drop.element,
    summary,
    progress.element,
    h('div', { class: 'actions' }, submit),
  )

  const showSummary = (...messages: string[]) => {
    replaceChildren(summary, ...messages.map(message => h('p', {}, message)))
    summary.hidden = false
  }

  form.addEventListener('submit', async event => {
    event.preventDefault()
    summary.hidden = true
    if (!file) {
      showSummary('Choose a file to upload first.')
      drop.focus()
      return
    }
    const chosen = file
    submit.disabled = true
    try {
      const updated = await progress.begin(chosen.size, onProgress => replaceData(dataset.id, chosen, onProgress)).done
      context.notify(`“${updated.name}” now holds ${formatCount(updated.row_count)} rows.`)
      onReplaced(updated)
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError')
        showSummary('Upload cancelled; the data is as it was.')
      else showSummary(messageOf(error))
    } finally {
      progress.end()
      submit.disabled = false
    }
  })
  return form
}
