import { ApiError } from '../api'
import { h, replaceChildren } from '../dom'
import { groupFieldErrors } from '../field-errors'
import { datasetNameOf, formatBytes } from '../format'
import { textField } from '../forms/fields'
import type { Dataset } from '../types'
import { type Upload, uploadDataset } from '../upload'
import { progressBar } from './progress-bar'
import { messageOf } from './states'

const ACCEPT = '.csv,.ndjson,.jsonl,.json,.gz,text/csv,application/json,application/x-ndjson'

/** A new dataset from a file dropped on the panel or chosen with the file picker, with upload progress. */
export function uploadPanel(onCreated: (dataset: Dataset) => void): HTMLElement {
  const fileInput = h('input', {
    type: 'file',
    id: 'upload-file',
    name: 'file',
    accept: ACCEPT,
    class: 'visually-hidden',
  })
  const chosen = h('span', { class: 'chosen' }, 'No file chosen')
  const drop = h(
    'label',
    { class: 'drop-zone', for: 'upload-file' },
    fileInput,
    h('strong', {}, 'Drop a file here or choose one'),
    h('span', { class: 'hint' }, 'CSV, NDJSON or a JSON array of objects; gzip is fine'),
    chosen,
  )
  const name = textField({ key: 'name', label: 'Name', maxLength: 200 })
  const description = textField({ key: 'description', label: 'Description (optional)', maxLength: 10_000 })
  const summary = h('div', { class: 'form-error', role: 'alert', hidden: true })
  const progress = progressBar('Upload progress')
  const progressText = h('span', { class: 'hint' })
  const progressArea = h('div', { class: 'upload-progress', hidden: true }, progress.element, progressText)
  const submit = h('button', { type: 'submit' }, 'Upload')
  const cancel = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Cancel upload')
  const form = h(
    'form',
    { class: 'upload card', novalidate: true, 'aria-labelledby': 'upload-title' },
    h('h2', { id: 'upload-title' }, 'New dataset'),
    drop,
    h('div', { class: 'field-row' }, name.element, description.element),
    summary,
    progressArea,
    h('div', { class: 'actions' }, submit, cancel),
  )

  let file: File | null = null
  let suggestedName = ''
  let upload: Upload | null = null

  function choose(picked: File | undefined) {
    if (!picked) return
    file = picked
    chosen.textContent = `${picked.name} · ${formatBytes(picked.size)}`
    // the name follows the file until someone types one of their own
    if (name.read() === '' || name.read() === suggestedName) {
      suggestedName = datasetNameOf(picked.name)
      name.write(suggestedName)
    }
  }

  function showErrors(error: unknown) {
    const problems = error instanceof ApiError ? error.fieldErrors : []
    const { byField, general } = groupFieldErrors(problems, 'body', ['name', 'description'])
    name.showErrors(byField.get('name') ?? [])
    description.showErrors(byField.get('description') ?? [])
    replaceChildren(summary, h('p', {}, messageOf(error)), ...general.map(message => h('p', {}, message)))
    summary.hidden = false
  }

  fileInput.addEventListener('change', () => choose(fileInput.files?.[0]))
  drop.addEventListener('dragover', event => {
    event.preventDefault()
    drop.classList.add('dragging')
  })
  drop.addEventListener('dragleave', () => drop.classList.remove('dragging'))
  drop.addEventListener('drop', event => {
    event.preventDefault()
    drop.classList.remove('dragging')
    choose(event.dataTransfer?.files[0])
  })
  cancel.addEventListener('click', () => upload?.abort())

  form.addEventListener('submit', async event => {
    event.preventDefault()
    summary.hidden = true
    name.showErrors([])
    if (!file) {
      replaceChildren(summary, h('p', {}, 'Choose a file to upload first.'))
      summary.hidden = false
      fileInput.focus()
      return
    }
    const size = file.size
    progress.set(0)
    progressText.textContent = `0 B of ${formatBytes(size)}`
    progressArea.hidden = false
    submit.disabled = true
    cancel.hidden = false
    upload = uploadDataset({ name: name.read().trim(), description: description.read(), file }, ({ loaded, total }) => {
      progress.set(total > 0 ? (loaded / total) * 100 : 0, loaded >= total ? 'storing' : 'sending')
      progressText.textContent = `${formatBytes(loaded)} of ${formatBytes(total)}`
    })
    try {
      onCreated(await upload.done)
    } catch (error) {
      progressArea.hidden = true
      if (error instanceof DOMException && error.name === 'AbortError') {
        replaceChildren(summary, h('p', {}, 'Upload cancelled; nothing was created.'))
        summary.hidden = false
      } else showErrors(error)
    } finally {
      upload = null
      submit.disabled = false
      cancel.hidden = true
    }
  })
  return form
}
