import { type ClaimedTask, completeTask } from '../../src/tasks/lifecycle'
import { toTaskJson } from '../../src/tasks/task-json'
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
      ? {
          ...event,
          task: toTaskJson({
            ...task,
            ...times,
            status: 'completed',
            progress: 100,
            stage: 'done',
            result,
            error: null,
          }),
        }
      : event,
  )
  return 'completed'
}
