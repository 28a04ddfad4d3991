import type { Static } from 'elysia'
import type { TaskRow } from '../db/schema'
import type { TaskSchema } from './schemas'

/** A task as the API shows it. */
export type TaskJson = Static<typeof TaskSchema>

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

/** The one mapper from a task to its JSON: the routes, the event streams and the threads use it. */
export function toTaskJson(task: TaskJsonSource): TaskJson {
  return {
    id: task.id,
    dataset_id: task.datasetId,
    kind: task.kind,
    params: task.params,
    status: task.status,
    progress: task.progress,
    stage: task.stage,
    result: task.result ?? null,
    error: task.error,
    attempts: task.attempts,
    created_at: task.createdAt.toISOString(),
    started_at: task.startedAt?.toISOString() ?? null,
    finished_at: task.finishedAt?.toISOString() ?? null,
  }
}
