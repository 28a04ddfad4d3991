import { ApiError, api } from '../api'
import { h, replaceChildren } from '../dom'
import { groupFieldErrors, summaryLines } from '../field-errors'
import { textField } from '../forms/fields'
import { DATASETS_HREF, navigate } from '../router'
import type { Dataset } from '../types'
import { confirmDialog } from './confirm-dialog'
import { messageOf } from './states'
import type { ViewContext } from './view'

/** Rename (PATCH) and delete (after a confirmation) one dataset. */
export function datasetSettings(
  dataset: Dataset,
  context: ViewContext,
  onRenamed: (dataset: Dataset) => void,
): HTMLElement {
  const name = textField({ key: 'name', label: 'Name', value: dataset.name, maxLength: 200 })
  const description = textField({
    key: 'description',
    label: 'Description',
    value: dataset.description,
    maxLength: 10_000,
  })
  const summary = h('div', { class: 'form-error', role: 'alert', hidden: true })
  let current = dataset
  const save = h('button', { type: 'submit' }, 'Save')
  const form = h(
    'form',
    { class: 'rename', novalidate: true },
    h('div', { class: 'field-row' }, name.element, description.element),
    summary,
    h('div', { class: 'actions' }, save),
  )

  form.addEventListener('submit', async event => {
    event.preventDefault()
    summary.hidden = true
    save.disabled = true
    try {
      const updated = await api<Dataset>(`/api/datasets/${dataset.id}`, {
        method: 'PATCH',
        json: { name: name.read().trim(), description: description.read() },
        signal: context.signal,
      })
      name.showErrors([])
      description.showErrors([])
      current = updated
      context.notify(`Saved “${updated.name}”.`)
      onRenamed(updated)
    } catch (error) {
      const { byField, general } = groupFieldErrors(error instanceof ApiError ? error.fieldErrors : [], 'body', [
        'name',
        'description',
      ])
      name.showErrors(byField.get('name') ?? [])
      description.showErrors(byField.get('description') ?? [])
      replaceChildren(summary, ...summaryLines(messageOf(error), general).map(line => h('p', {}, line)))
      summary.hidden = false
    } finally {
      save.disabled = false
    }
  })

  const remove = h('button', { type: 'button', class: 'danger' }, 'Delete dataset')
  remove.addEventListener('click', async () => {
    const sure = await confirmDialog({
      title: `Delete “${current.name}”?`,
      message:
        'Its data and every analysis of it are deleted too; running analyses are cancelled. This cannot be undone.',
      confirm: 'Delete',
    })
    if (!sure) return remove.focus()
    try {
      await api<null>(`/api/datasets/${dataset.id}`, { method: 'DELETE', signal: context.signal })
      context.notify(`Deleted “${current.name}”.`)
      navigate(DATASETS_HREF)
    } catch (error) {
      context.notify(`The dataset was not deleted: ${messageOf(error)}`)
    }
  })

  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'settings-title' },
    h('h2', { id: 'settings-title' }, 'Name and description'),
    form,
    h('div', { class: 'danger-zone' }, h('h3', {}, 'Delete'), remove),
  )
}
