import { api, query } from '../api'
import { h, replaceChildren } from '../dom'
import { formatTime } from '../format'
import { followDatasetTasks } from '../live'
import { taskHref } from '../router'
import { isFinal, type Page, type TaskStatus, type TaskSummary } from '../types'
import { type ProgressBar, progressBar } from './progress-bar'
import { emptyState, errorState, loadingState } from './states'
import { statusBadge } from './task-status'
import type { ViewContext } from './view'

const PAGE_SIZE = 20

type Row = { element: HTMLElement; status: HTMLElement; progress: ProgressBar }

/**
 * The dataset's analyses, newest first, kept current by the API's event stream for this
 * dataset: progress bars move and statuses change as they happen. A task the list does not
 * know yet (started elsewhere), or a reconnect that may have missed events, reloads it.
 */
export function taskList(datasetId: string, context: ViewContext): HTMLElement {
  const list = h('ul', { class: 'tasks' })
  const body = h('div', {}, loadingState('analyses'))
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Show older analyses')
  const rows = new Map<string, Row>()
  let nextCursor: string | null = null

  function row(task: TaskSummary): HTMLElement {
    const progress = progressBar(`Progress of ${task.kind} analysis`)
    progress.set(task.progress, task.stage)
    const status = h('span', { class: 'task-status' }, statusBadge(task.status))
    const element = h(
      'li',
      { class: 'task-row', 'data-task-id': task.id },
      h('a', { href: taskHref(task.id), class: 'task-kind' }, task.kind),
      status,
      progress.element,
      h('span', { class: 'hint' }, formatTime(task.created_at)),
    )
    rows.set(task.id, { element, status, progress })
    return element
  }

  function setStatus(id: string, status: TaskStatus) {
    const known = rows.get(id)
    if (known) replaceChildren(known.status, statusBadge(status))
  }

  async function load(append = false) {
    try {
      const page = await api<Page<TaskSummary>>(
        `/api/tasks${query({ dataset_id: datasetId, limit: PAGE_SIZE, cursor: append ? nextCursor : undefined })}`,
        { signal: context.signal },
      )
      if (!append) {
        rows.clear()
        list.replaceChildren()
      }
      list.append(...page.data.map(row))
      nextCursor = page.next_cursor
      more.hidden = nextCursor === null
      replaceChildren(body, rows.size > 0 ? list : emptyState(h('p', {}, 'No analyses yet.')))
    } catch (error) {
      if (!context.signal.aborted)
        replaceChildren(
          body,
          errorState('The analyses could not be loaded', error, () => load()),
        )
    }
  }

  more.addEventListener('click', () => load(true))
  const stop = followDatasetTasks(datasetId, {
    onProgress(event) {
      const known = rows.get(event.id)
      if (known) known.progress.set(event.progress, event.stage)
      else void load()
    },
    onStatus(event) {
      if (rows.has(event.id)) setStatus(event.id, event.status)
      else void load()
    },
    onTask(task) {
      setStatus(task.id, task.status)
      if (isFinal(task.status)) rows.get(task.id)?.progress.set(task.progress)
    },
    onConnection(state, reconnected) {
      if (state === 'live' && reconnected) void load()
    },
  })
  context.signal.addEventListener('abort', stop, { once: true })
  void load()

  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'tasks-title' },
    h('h2', { id: 'tasks-title' }, 'Analyses'),
    body,
    more,
  )
}
