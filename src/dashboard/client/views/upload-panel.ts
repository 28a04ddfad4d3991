import { ApiError } from '../api'
import { h, replaceChildren } from '../dom'
import { groupFieldErrors, summaryLines } from '../field-errors'
import { datasetNameOf } from '../format'
import { textField } from '../forms/fields'
import type { Dataset } from '../types'
import { uploadDataset } from '../upload'
import { fileDrop } from './file-drop'
import { messageOf } from './states'
import { uploadProgress } from './upload-progress'

/** A new dataset from a file dropped on the panel or chosen with the file picker, with upload progress. */
export function uploadPanel(onCreated: (dataset: Dataset) => void): HTMLElement {
  let file: File | null = null
  let suggestedName = ''
  const drop = fileDrop('upload-file', picked => {
    file = picked
    // the name follows the file until someone types one of their own
    if (name.read() === '' || name.read() === suggestedName) {
      suggestedName = datasetNameOf(picked.name)
      name.write(suggestedName)
    }
  })
  const name = textField({ key: 'name', label: 'Name', maxLength: 200 })
  const description = textField({ key: 'description', label: 'Description (optional)', maxLength: 10_000 })
  const summary = h('div', { class: 'form-error', role: 'alert', hidden: true })
  const progress = uploadProgress()
  const submit = h('button', { type: 'submit' }, 'Upload')
  const form = h(
    'form',
    { class: 'upload card', novalidate: true, 'aria-labelledby': 'upload-title' },
    h('h2', { id: 'upload-title' }, 'New dataset'),
    drop.element,
    h('div', { class: 'field-row' }, name.element, description.element),
    summary,
    progress.element,
    h('div', { class: 'actions' }, submit),
  )

  function showSummary(...messages: string[]) {
    replaceChildren(summary, ...messages.map(message => h('p', {}, message)))
    summary.hidden = false
  }

  function showErrors(error: unknown) {
    const problems = error instanceof ApiError ? error.fieldErrors : []
    const { byField, general } = groupFieldErrors(problems, 'body', ['name', 'description'])
    name.showErrors(byField.get('name') ?? [])
    description.showErrors(byField.get('description') ?? [])
    showSummary(...summaryLines(messageOf(error), general))
  }

  form.addEventListener('submit', async event => {
    event.preventDefault()
    summary.hidden = true
    name.showErrors([])
    description.showErrors([])
    if (!file) {
      showSummary('Choose a file to upload first.')
      drop.focus()
      return
    }
    const fields = { name: name.read().trim(), description: description.read(), file }
    submit.disabled = true
    try {
      onCreated(await progress.begin(file.size, onProgress => uploadDataset(fields, onProgress)).done)
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError')
        showSummary('Upload cancelled; nothing was created.')
      else showErrors(error)
    } finally {
      progress.end()
      submit.disabled = false
    }
  })
  return form
}
