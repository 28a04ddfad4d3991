import { FINAL_STATUSES, type Task, type TaskStatus } from './types'

export type ProgressEvent = { id: string; progress: number; stage: string | null; rows_processed?: number }
export type StatusEvent = { id: string; status: TaskStatus; attempts?: number }
export type Connection = 'live' | 'reconnecting'

type Handlers = {
  onProgress(event: ProgressEvent): void
  onStatus(event: StatusEvent): void
  /** A whole task: the snapshot of a task stream, and the final task when one ends. */
  onTask(task: Task): void
  onConnection?(state: Connection, reconnected: boolean): void
  /** The browser gave up (the server refused the stream: signed out, or no such task). */
  onClosed?(): void
}

const parse = <T>(event: Event) => JSON.parse((event as MessageEvent<string>).data) as T

/**
 * Listens to one of the API's event streams. EventSource reconnects by itself after a dropped
 * connection; the API answers a reconnect with a fresh snapshot, so nothing is missed.
 */
function listen(url: string, handlers: Handlers, endOnFinal: boolean): () => void {
  const source = new EventSource(url, { withCredentials: true })
  let opened = false
  source.addEventListener('open', () => {
    handlers.onConnection?.('live', opened)
    opened = true
  })
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED) handlers.onClosed?.()
    else handlers.onConnection?.('reconnecting', opened)
  })
  source.addEventListener('snapshot', event => handlers.onTask(parse<Task>(event)))
  source.addEventListener('progress', event => handlers.onProgress(parse<ProgressEvent>(event)))
  source.addEventListener('status', event => handlers.onStatus(parse<StatusEvent>(event)))
  for (const status of FINAL_STATUSES)
    source.addEventListener(status, event => {
      handlers.onTask(parse<Task>(event))
      // the server ends a task's stream here; closing stops EventSource from reconnecting
      if (endOnFinal) source.close()
    })
  return () => source.close()
}

/** One task's live events: its snapshot, progress, status changes and its final state. */
export const followTask = (taskId: string, handlers: Handlers) =>
  listen(`/api/tasks/${encodeURIComponent(taskId)}/events`, handlers, true)

/** Live events of every task on one dataset (no snapshot: the list is read over REST). */
export const followDatasetTasks = (datasetId: string, handlers: Handlers) =>
  listen(`/api/events?dataset_id=${encodeURIComponent(datasetId)}`, handlers, false)
