import type { Redis } from 'ioredis'
import type { TaskRow } from '../../src/db/schema'
import type { TaskStatus } from '../../src/tasks/statuses'
import type { TaskJson } from '../../src/tasks/task-json'

/**
 * Live task events, published on Redis pub/sub so that every api process hears every worker.
 * A stream reads the task from PostgreSQL for its snapshot, so a missed event never leaves a
 * client with a wrong state, only a late one. The final task comes with a `completed` status
 * when its result takes at most 64 KiB of JSON, and streams then need not read it back; a larger
 * result is left out and the event says `result_omitted` (streams read the task, and send it
 * without the result). Other endings carry no task.
 */
export type TaskEvent = ProgressEvent | StatusEvent
export type ProgressEvent = {
  type: 'progress'
  task_id: string
  dataset_id: string
  progress: number
  stage: string
  rows_processed: number
}
export type StatusEvent = {
  type: 'status'
  task_id: string
  dataset_id: string
  status: TaskStatus
  attempts: number
  task?: TaskJson
  result_omitted?: true
}

export const statusEvent = (task: Pick<TaskRow, 'id' | 'datasetId' | 'status' | 'attempts'>): StatusEvent => ({
  type: 'status',
  task_id: task.id,
  dataset_id: task.datasetId,
  status: task.status,
  attempts: task.attempts,
})

export const progressEvent = (
  task: Pick<TaskRow, 'id' | 'datasetId'>,
  update: Pick<ProgressEvent, 'progress' | 'stage' | 'rows_processed'>,
): ProgressEvent => ({ type: 'progress', task_id: task.id, dataset_id: task.datasetId, ...update })

export const eventsChannel = (prefix: string) => `${prefix}:task-events`
/** Asks every worker process to stop the jobs of a task it is running. */
export const cancelChannel = (prefix: string) => `${prefix}:task-cancel`

export type TaskEventPublisher = {
  publish(event: TaskEvent): Promise<void>
  requestCancel(taskId: string): Promise<void>
}

/** Publishing never fails the caller: PostgreSQL already holds the state the event announces. */
export function taskEventPublisher(redis: Redis, prefix: string): TaskEventPublisher {
  const send = async (channel: string, message: string) => {
    try {
      await redis.publish(channel, message)
    } catch {
      // A stream that missed this re-reads the task when it reconnects.
    }
  }
  return {
    publish: event => send(eventsChannel(prefix), JSON.stringify(event)),
    requestCancel: taskId => send(cancelChannel(prefix), taskId),
  }
}
