import type { Static } from 'elysia'
import type { TaskRow } from '../db/schema'
import type { TaskSchema, TaskSummarySchema } from './schemas'

/** A task as the API shows it. */
export type TaskJson = Static<typeof TaskSchema>
/** A task as lists show it: everything but its result. */
export type TaskSummaryJson = Static<typeof TaskSummarySchema>

/** What a task's JSON is made of: its row, or what the thread that completed it knows of it. */
export type TaskJsonSource = Pick<
  TaskRow,
  | 'id'
  | 'datasetId'
  | 'kind'
  | 'params'
  | 'status'
  | 'progress'
  | 'stage'
  | 'result'
  | 'error'
  | 'attempts'
  | 'createdAt'
  | 'startedAt'
  | 'finishedAt'
>

/** What a task list item is made of: a task row read without its result. */
export type TaskSummarySource = Omit<TaskJsonSource, 'result'>

/** The one mapper from a task to its list item: every field but the result. */
export function toTaskSummaryJson(task: TaskSummarySource): TaskSummaryJson {
  return {
    id: task.id,
    dataset_id: task.datasetId,
    kind: task.kind,
    params: task.params,
    status: task.status,
    progress: task.progress,
    stage: task.stage,
    error: task.error,
    attempts: task.attempts,
    created_at: task.createdAt.toISOString(),
    started_at: task.startedAt?.toISOString() ?? null,
    finished_at: task.finishedAt?.toISOString() ?? null,
  }
}

/** The one mapper from a task to its JSON: the routes, the event streams and the threads use it. */
export function toTaskJson(task: TaskJsonSource): TaskJson {
  return { ...toTaskSummaryJson(task), result: task.result ?? null }
}
