/**
 * The states of a task, listed once: the database enum, the API's schemas, the events and the
 * dashboard all take them from here (src/tasks/lifecycle.ts draws how a task moves between them).
 */
export const UNFINISHED_STATUSES = ['pending', 'running'] as const
export const FINAL_STATUSES = ['completed', 'failed', 'cancelled'] as const
export const TASK_STATUSES = [...UNFINISHED_STATUSES, ...FINAL_STATUSES] as const

export type TaskStatus = (typeof TASK_STATUSES)[number]
export type FinalStatus = (typeof FINAL_STATUSES)[number]

export const isFinal = (status: TaskStatus): status is FinalStatus =>
  (FINAL_STATUSES as readonly string[]).includes(status)
