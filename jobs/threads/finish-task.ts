import { type ClaimedTask, type CompletionTimes, completeTask } from '../../src/tasks/lifecycle'
import type { TaskJson } from '../../src/tasks/service'
import { statusEvent } from '../events/task-events'
import type { ThreadEnv } from './thread-env'

/** A final task whose result is larger than this (bytes of JSON) is read back from PostgreSQL by the streams. */
const MAX_RESULT_IN_EVENT = 64 * 1024

/** `superseded`: another attempt, or a cancel, ended the task first. */
export type FinishOutcome = 'completed' | 'superseded'

/** Stores the result (if this attempt still owns the task) and announces it. */
export async function finishTask(
  env: ThreadEnv,
  task: ClaimedTask,
  result: unknown,
  work: number,
): Promise<FinishOutcome> {
  const resultJson = JSON.stringify(result)
  const times = await completeTask(env.db, task.id, task.attempts, resultJson, work)
  if (!times) return 'superseded'
  const event = statusEvent({ ...task, status: 'completed' })
  await env.events.publish(
    Buffer.byteLength(resultJson) <= MAX_RESULT_IN_EVENT
      ? { ...event, task: completedJson(task, result, times) }
      : event,
  )
  return 'completed'
}

/** The completed task as the api shows it. */
const completedJson = (task: ClaimedTask, result: unknown, times: CompletionTimes): TaskJson => ({
  id: task.id,
  dataset_id: task.datasetId,
  kind: task.kind,
  params: task.params,
  status: 'completed',
  progress: 100,
  stage: 'done',
  result,
  error: null,
  attempts: task.attempts,
  created_at: times.createdAt,
  started_at: times.startedAt,
  finished_at: times.finishedAt,
})
