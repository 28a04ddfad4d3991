import type { TaskEventHub } from '../../jobs/events/event-hub'
import type { ProgressEvent, StatusEvent, TaskEvent } from '../../jobs/events/task-events'
import { EventQueue, SerializedJson, type SseSend } from '../http/sse'
import type { EventTaskRow } from './queries'
import { isFinal } from './statuses'
import { type TaskJson, toTaskJson } from './task-json'

type LoadTask = (id: string) => Promise<EventTaskRow | null>

/** Events one stream may fall behind by before it ends (its sending waits on PostgreSQL). */
const MAX_QUEUED_EVENTS = 10_000

/**
 * The task as a snapshot or final event carries it: whole, or without a result too large for
 * an event, which says so; clients read that one with GET /api/tasks/{id}.
 */
export const eventTaskJson = (row: EventTaskRow): TaskJson | (TaskJson & { result_omitted: true }) =>
  row.resultOmitted ? { ...toTaskJson(row), result: null, result_omitted: true } : toTaskJson(row)

// The hub hands one event object to every stream that listens, so its frame data is made once.
const serialized = new WeakMap<object, SerializedJson>()

function once(key: object, data: () => object): SerializedJson {
  let json = serialized.get(key)
  if (!json) {
    json = new SerializedJson(JSON.stringify(data()))
    serialized.set(key, json)
  }
  return json
}

const progressData = (event: ProgressEvent) =>
  once(event, () => ({
    id: event.task_id,
    progress: event.progress,
    stage: event.stage,
    rows_processed: event.rows_processed,
  }))

const statusData = (event: StatusEvent) =>
  once(event, () => ({ id: event.task_id, status: event.status, attempts: event.attempts }))

type FinalTask = Pick<TaskJson, 'status' | 'attempts'> & { data: SerializedJson }

/** The task a final status announced: carried by the event when its result is small, otherwise read. */
async function finalTask(event: StatusEvent, load: LoadTask): Promise<FinalTask | null> {
  const carried = event.task
  if (carried) return { status: carried.status, attempts: carried.attempts, data: once(carried, () => carried) }
  const row = await load(event.task_id)
  return (
    row && { status: row.status, attempts: row.attempts, data: new SerializedJson(JSON.stringify(eventTaskJson(row))) }
  )
}

/**
 * One task's stream: the snapshot first (from PostgreSQL, so a reconnect never misses state),
 * then progress (never backwards within an attempt) and status changes as they come, and the
 * final task as `completed`, `failed` or `cancelled`, which ends the stream. The subscription is
 * taken before the snapshot is read, so nothing falls between the two.
 */
export async function streamTask(
  hub: TaskEventHub,
  load: LoadTask,
  taskId: string,
  send: SseSend,
  signal: AbortSignal,
) {
  const queue = new EventQueue<TaskEvent>(MAX_QUEUED_EVENTS)
  const leave = hub.listen({ taskId, onEvent: event => queue.push(event), onReset: () => queue.end() })
  try {
    const task = await load(taskId)
    if (!task) return
    const json = new SerializedJson(JSON.stringify(eventTaskJson(task)))
    send('snapshot', json)
    if (isFinal(task.status)) {
      send(task.status, json)
      return
    }
    let progress = task.progress
    let attempts = task.attempts
    for await (const event of queue.drain(signal)) {
      if (event.type === 'progress') {
        if (event.progress <= progress) continue
        progress = event.progress
        send('progress', progressData(event))
        continue
      }
      if (!isFinal(event.status)) {
        // a new attempt starts again from 0
        if (event.attempts !== attempts) progress = 0
        attempts = event.attempts
        send('status', statusData(event))
        continue
      }
      const final = await finalTask(event, load)
      if (!final) return
      send('status', { id: taskId, status: final.status, attempts: final.attempts })
      send(final.status, final.data)
      return
    }
  } finally {
    leave()
  }
}

/**
 * Every visible task's live events (no snapshot): progress and status as they come, and the
 * final task when one ends. `visible` decides which tasks this caller may hear about.
 */
export async function streamAllTasks(
  hub: TaskEventHub,
  load: LoadTask,
  visible: (event: TaskEvent) => Promise<boolean>,
  send: SseSend,
  signal: AbortSignal,
) {
  const queue = new EventQueue<TaskEvent>(MAX_QUEUED_EVENTS)
  const leave = hub.listen({ onEvent: event => queue.push(event), onReset: () => queue.end() })
  try {
    for await (const event of queue.drain(signal)) {
      if (!(await visible(event))) continue
      if (event.type === 'progress') send('progress', progressData(event))
      else {
        send('status', statusData(event))
        if (!isFinal(event.status)) continue
        const final = await finalTask(event, load)
        if (final) send(final.status, final.data)
      }
    }
  } finally {
    leave()
  }
}
