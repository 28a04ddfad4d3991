import { ApiError, api } from '../api'
import { h, replaceChildren } from '../dom'
import { formatParam, formatTime } from '../format'
import { type EventTask, followTask } from '../live'
import { resultDownloadButton } from '../results/download'
import { resultView } from '../results/result-view'
import { DATASETS_HREF, datasetHref, navigate, taskHref } from '../router'
import { type Dataset, isFinal, type Task } from '../types'
import { progressBar } from './progress-bar'
import { emptyState, errorState, messageOf } from './states'
import { statusBadge } from './task-status'
import type { View } from './view'

function paramsList(params: Record<string, unknown>): HTMLElement {
  const entries = Object.entries(params)
  if (entries.length === 0) return h('p', { class: 'hint' }, 'Default parameters.')
  return h(
    'dl',
    { class: 'params' },
    ...entries.map(([key, value]) => h('div', {}, h('dt', {}, key), h('dd', {}, formatParam(value)))),
  )
}

/**
 * One analysis, followed live: the snapshot fills the page, progress events move the bar, and
 * the final event brings the result, drawn. Cancel while it runs; retry once it failed.
 */
export const taskPageView =
  (id: string): View =>
  (main, context) => {
    const title = h('h1', { tabindex: -1 }, 'Analysis')
    const back = h('a', { href: DATASETS_HREF, class: 'back' }, '← All datasets')
    const status = h('span', { class: 'task-status', 'aria-live': 'polite' })
    const connection = h('span', { class: 'connection', 'aria-live': 'polite' })
    const progress = progressBar('Analysis progress')
    const cancel = h('button', { type: 'button', class: 'danger', hidden: true }, 'Cancel')
    const retry = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Run again')
    const actionMessage = h('p', { class: 'form-error', role: 'alert', hidden: true })
    const details = h('div', { class: 'task-details' })
    const outcome = h('section', { class: 'outcome', 'aria-labelledby': 'outcome-title' })
    let task: Task | null = null

    function showTask(next: Task) {
      const first = task === null
      task = next
      title.textContent = `${next.kind[0]!.toUpperCase()}${next.kind.slice(1)} analysis`
      replaceChildren(status, statusBadge(next.status))
      progress.set(next.progress, next.stage)
      cancel.hidden = isFinal(next.status)
      if (isFinal(next.status)) {
        connection.textContent = ''
        connection.className = 'connection'
      }
      retry.hidden = next.status !== 'failed' && next.status !== 'cancelled'
      replaceChildren(
        details,
        h(
          'dl',
          { class: 'figures' },
          h('div', {}, h('dt', {}, 'Started'), h('dd', {}, formatTime(next.started_at))),
          h('div', {}, h('dt', {}, 'Finished'), h('dd', {}, formatTime(next.finished_at))),
          h('div', {}, h('dt', {}, 'Attempts'), h('dd', {}, String(next.attempts))),
        ),
        h('h2', {}, 'Parameters'),
        paramsList(next.params),
      )
      if (first) void nameDataset(next.dataset_id)
      showOutcome(next)
    }

    function showOutcome(next: Task) {
      if (next.status === 'completed')
        replaceChildren(
          outcome,
          h('div', { class: 'outcome-head' }, h('h2', { id: 'outcome-title' }, 'Result'), resultDownloadButton(next)),
          resultView(next),
        )
      else if (next.status === 'failed')
        replaceChildren(
          outcome,
          h('h2', { id: 'outcome-title' }, 'Failed'),
          h('p', { class: 'error-state', role: 'alert' }, next.error ?? 'The analysis failed.'),
        )
      else if (next.status === 'cancelled')
        replaceChildren(
          outcome,
          h('h2', { id: 'outcome-title' }, 'Cancelled'),
          emptyState(h('p', {}, 'This analysis was cancelled before it finished.')),
        )
      else replaceChildren(outcome)
    }

    /** An event left a large result out: the task is read whole, result and all. */
    async function showEventTask(next: EventTask) {
      if (!next.result_omitted) return showTask(next)
      try {
        showTask(await api<Task>(`/api/tasks/${encodeURIComponent(id)}`, { signal: context.signal }))
      } catch (error) {
        if (!context.signal.aborted)
          replaceChildren(
            outcome,
            errorState('The result could not be loaded', error, () => void showEventTask(next)),
          )
      }
    }

    async function nameDataset(datasetId: string) {
      back.href = datasetHref(datasetId)
      try {
        const dataset = await api<Dataset>(`/api/datasets/${datasetId}`, { signal: context.signal })
        back.textContent = `← ${dataset.name}`
        document.title = `${title.textContent} of ${dataset.name} · DataDynamo`
      } catch {
        back.textContent = '← The dataset'
      }
    }

    async function showLost() {
      // the server refused the stream; the REST answer says why, and whether to keep listening
      try {
        const current = await api<Task>(`/api/tasks/${encodeURIComponent(id)}`, { signal: context.signal })
        showTask(current)
        if (isFinal(current.status)) stop()
      } catch (error) {
        stop()
        if (context.signal.aborted) return
        const missing = error instanceof ApiError && error.status === 404
        replaceChildren(
          main,
          back,
          h('h1', { tabindex: -1 }, missing ? 'Analysis not found' : 'Analysis'),
          missing
            ? emptyState(h('p', {}, 'There is no such analysis, or it is not yours to see.'))
            : errorState('The analysis could not be loaded', error, () => taskPageView(id)(main, context)),
        )
      }
    }

    cancel.addEventListener('click', async () => {
      cancel.disabled = true
      actionMessage.hidden = true
      try {
        await api<Task>(`/api/tasks/${encodeURIComponent(id)}/cancel`, { method: 'POST', signal: context.signal })
        context.notify('Cancelling the analysis…')
      } catch (error) {
        actionMessage.textContent = `It could not be cancelled: ${messageOf(error)}`
        actionMessage.hidden = false
      } finally {
        cancel.disabled = false
      }
    })
    retry.addEventListener('click', async () => {
      try {
        const again = await api<Task>(`/api/tasks/${encodeURIComponent(id)}/retry`, {
          method: 'POST',
          signal: context.signal,
        })
        navigate(taskHref(again.id))
      } catch (error) {
        actionMessage.textContent = `It could not be run again: ${messageOf(error)}`
        actionMessage.hidden = false
      }
    })

    /** A task from the stream; one whose result stayed out of the event is read whole. */
    const stop = followTask(id, {
      onTask: next => void showEventTask(next),
      onProgress: event => progress.set(event.progress, event.stage),
      onStatus(event) {
        if (!task) return
        replaceChildren(status, statusBadge(event.status))
        cancel.hidden = isFinal(event.status)
      },
      onConnection(state) {
        // said once per change: the indicator is a live region, and a retry is no news
        const text = state === 'live' ? 'Live' : 'Reconnecting…'
        if (connection.textContent === text) return
        connection.textContent = text
        connection.className = `connection ${state}`
      },
      onClosed: () => void showLost(),
    })
    context.signal.addEventListener('abort', stop, { once: true })

    replaceChildren(
      main,
      back,
      h('div', { class: 'page-head' }, title, status, connection),
      h(
        'section',
        { class: 'card live', 'aria-label': 'Progress' },
        progress.element,
        h('div', { class: 'actions' }, cancel, retry),
        actionMessage,
      ),
      outcome,
      h('section', { class: 'card' }, details),
    )
    document.title = 'Analysis · DataDynamo'
  }
