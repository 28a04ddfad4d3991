import { ApiError, api } from '../api'
import { h, replaceChildren } from '../dom'
import { groupFieldErrors, summaryLines } from '../field-errors'
import { PARAMS_FORMS, type ParamsForm } from '../forms/analysis-forms'
import { navigate, taskHref } from '../router'
import { ANALYSIS_KINDS, type AnalysisKind, type Dataset, type Task } from '../types'
import { messageOf } from './states'
import type { ViewContext } from './view'

const KIND_LABELS: Record<AnalysisKind, string> = {
  profile: 'Profile: statistics of every column',
  correlation: 'Correlation matrix',
  histogram: 'Histogram of one column',
  groupby: 'Group by and aggregate',
  regression: 'Linear regression',
  outliers: 'Outliers of one column',
}

/**
 * Starts an analysis: a kind, then that kind's fields with the dataset's columns to choose from.
 * The API is the judge of what is valid; its 422 answers are shown next to the fields they name.
 */
export function analysisForm(dataset: Dataset, context: ViewContext): HTMLElement {
  const kind = h(
    'select',
    { id: 'analysis-kind', name: 'kind' },
    ...ANALYSIS_KINDS.map(k => h('option', { value: k }, KIND_LABELS[k])),
  )
  const fieldsArea = h('div', { class: 'analysis-fields' })
  const summary = h('div', { class: 'form-error', role: 'alert', hidden: true })
  const run = h('button', { type: 'submit' }, 'Run analysis')
  let params: ParamsForm = PARAMS_FORMS.profile(dataset.columns)

  function showKind() {
    params = PARAMS_FORMS[kind.value as AnalysisKind](dataset.columns)
    summary.hidden = true
    replaceChildren(fieldsArea, ...params.fields.map(f => f.element))
  }

  function showErrors(error: unknown) {
    const fields = params.fields
    const { byField, general } = groupFieldErrors(
      error instanceof ApiError ? error.fieldErrors : [],
      'body.params',
      fields.map(f => f.key),
    )
    for (const field of fields) field.showErrors(byField.get(field.key) ?? [])
    replaceChildren(summary, ...summaryLines(messageOf(error), general).map(line => h('p', {}, line)))
    summary.hidden = false
    fields.find(f => byField.has(f.key))?.focus()
  }

  kind.addEventListener('change', showKind)
  const form = h(
    'form',
    { class: 'analysis card', novalidate: true, 'aria-labelledby': 'analysis-title' },
    h('h2', { id: 'analysis-title' }, 'Run an analysis'),
    h('div', { class: 'field' }, h('label', { for: 'analysis-kind' }, 'Analysis'), kind),
    fieldsArea,
    summary,
    h('div', { class: 'actions' }, run),
  )
  form.addEventListener('submit', async event => {
    event.preventDefault()
    run.disabled = true
    try {
      const task = await api<Task>(`/api/datasets/${dataset.id}/process`, {
        method: 'POST',
        json: { kind: kind.value, params: params.read() },
        signal: context.signal,
      })
      navigate(taskHref(task.id))
    } catch (error) {
      if (!context.signal.aborted) showErrors(error)
    } finally {
      run.disabled = false
    }
  })
  showKind()
  return form
}
