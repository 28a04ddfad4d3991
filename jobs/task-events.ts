import type { Redis } from 'ioredis'
import type { TaskStatus } from '../src/db/schema'

/**
 * Live task events, published on Redis pub/sub so that every api process hears every worker.
 * They carry no results: a stream reads the task from PostgreSQL for its snapshot and its final
 * event, so a missed event never leaves a client with a wrong state, only a late one.
 */
export type TaskEvent =
  | { type: 'progress'; task_id: string; dataset_id: string; progress: number; stage: string; rows_processed: number }
  | { type: 'status'; task_id: string; dataset_id: string; status: TaskStatus; attempts: number }

export const FINAL_STATUSES: readonly TaskStatus[] = ['completed', 'failed', 'cancelled']
export const isFinal = (status: TaskStatus) => FINAL_STATUSES.includes(status)

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
