import { type ClaimedTask, completeTask } from '../../src/tasks/lifecycle'
import { toTaskJson } from '../../src/tasks/task-json'
import { statusEvent } from '../events/task-events'
import { resultJson } from './result-json'
import type { ThreadEnv } from './thread-env'

/** Bytes of JSON a result may take to travel in the final event; a larger one is left out. */
const MAX_RESULT_IN_EVENT = 64 * 1024

/** `superseded`: another attempt, or a cancel, ended the task first. */
export type FinishOutcome = 'completed' | 'superseded'

/**
 * Stores the result (if this attempt still owns the task) and announces it. A result over
 * MAX_RESULT_BYTES fails the task (ResultTooLargeError) before anything is stored.
 */
export async function finishTask(
  env: ThreadEnv,
  task: ClaimedTask,
  result: unknown,
  work: number,
): Promise<FinishOutcome> {
  const json = resultJson(result, env.maxResultBytes)
  const times = await completeTask(env.db, task.id, task.attempts, json, work)
  if (!times) return 'superseded'
  const event = statusEvent({ ...task, status: 'completed' })
  await env.events.publish(
    Buffer.byteLength(json) <= MAX_RESULT_IN_EVENT
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
      : { ...event, result_omitted: true },
  )
  return 'completed'
}
