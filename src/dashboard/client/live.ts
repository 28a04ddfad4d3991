import { FINAL_STATUSES, type Task, type TaskStatus } from './types'

export type ProgressEvent = { id: string; progress: number; stage: string | null; rows_processed?: number }
export type StatusEvent = { id: string; status: TaskStatus; attempts?: number }
export type Connection = 'live' | 'reconnecting'
/** A task as an event carries it: a result over 64 KiB of JSON is left out and says so. */
export type EventTask = Task & { result_omitted?: boolean }

type Handlers = {
  onProgress(event: ProgressEvent): void
  onStatus(event: StatusEvent): void
  /** A whole task: the snapshot of a task stream, and the final task when one ends. */
  onTask(task: EventTask): void
  onConnection?(state: Connection, reconnected: boolean): void
  /** The server refused the stream (signed out, no such task, too many streams); it is tried again later. */
  onClosed?(): void
}

const parse = <T>(event: Event) => JSON.parse((event as MessageEvent<string>).data) as T

/** How long to wait before opening a stream again after the browser gave up on it. */
const REOPEN_MS = 5000

/**
 * Listens to one of the API's event streams. EventSource reconnects by itself after a dropped
 * connection, and the API answers a reconnect with a fresh snapshot, so nothing is missed. When
 * the server refuses the stream outright (signed out, too many streams), EventSource gives up:
 * the stream is opened again a little later, until the caller stops listening.
 */
function listen(url: string, handlers: Handlers, endOnFinal: boolean): () => void {
  let source: EventSource
  let stopped = false
  let reopen: ReturnType<typeof setTimeout> | undefined
  let opened = false

  const open = () => {
    source = new EventSource(url, { withCredentials: true })
    source.addEventListener('open', () => {
      handlers.onConnection?.('live', opened)
      opened = true
    })
    source.addEventListener('error', () => {
      if (source.readyState !== EventSource.CLOSED) return handlers.onConnection?.('reconnecting', opened)
      handlers.onClosed?.()
      if (!stopped) reopen = setTimeout(open, REOPEN_MS)
    })
    source.addEventListener('snapshot', event => handlers.onTask(parse<EventTask>(event)))
    source.addEventListener('progress', event => handlers.onProgress(parse<ProgressEvent>(event)))
    source.addEventListener('status', event => handlers.onStatus(parse<StatusEvent>(event)))
    for (const status of FINAL_STATUSES)
      source.addEventListener(status, event => {
        handlers.onTask(parse<EventTask>(event))
        // the server ends a task's stream here; closing stops EventSource from reconnecting
        if (endOnFinal) stop()
      })
  }
  const stop = () => {
    stopped = true
    clearTimeout(reopen)
    source.close()
  }
  open()
  return stop
}

/** One task's live events: its snapshot, progress, status changes and its final state. */
export const followTask = (taskId: string, handlers: Handlers) =>
  listen(`/api/tasks/${encodeURIComponent(taskId)}/events`, handlers, true)

/** Live events of every task on one dataset (no snapshot: the list is read over REST). */
export const followDatasetTasks = (datasetId: string, handlers: Handlers) =>
  listen(`/api/events?dataset_id=${encodeURIComponent(datasetId)}`, handlers, false)
