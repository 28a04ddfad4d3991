import { Job, type Worker } from 'bullmq'
import type { Database } from '../../src/db/client'
import type { Logger } from '../../src/logger'
import { failTask, retryTask, type TaskChange } from '../../src/tasks/lifecycle'
import { statusEvent, type TaskEventPublisher } from '../events/task-events'
import type { PartJob, TaskJobData } from '../queue/job-data'

const STALLED_TOO_OFTEN = 'job stalled more than allowable limit'
const WORKER_LOST = 'the worker running it stopped in the middle of it more than once (killed, or out of memory)'

/**
 * BullMQ's own failure reasons in words: it fails a job itself when its worker died mid-job more
 * often than the stall limit allows (a task that kills its worker every time).
 */
const inWords = (reason: string) => (reason === STALLED_TOO_OFTEN ? WORKER_LOST : reason)

const isFinalFailure = (job: Job, error: Error) =>
  error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1)

export type FailureRecordingOptions = {
  tasks: Worker<TaskJobData>
  parts: Worker<PartJob>
  db: Database
  events: TaskEventPublisher
  log: Logger
}

/**
 * Records what a failed job means for its task: a task job that will be tried again puts the
 * task back to pending; one that failed for good, or a part that did, fails the task (or ends
 * it cancelled, when its threads stopped for a cancel). Each change is announced.
 */
export function recordFailures({ tasks, parts, db, events, log }: FailureRecordingOptions): void {
  const settle = (taskId: string, change: Promise<TaskChange | null>) =>
    change
      .then(row => row && events.publish(statusEvent(row)))
      .catch(error => log.error('could not record a job failure', { task_id: taskId, error }))

  /**
   * Why a task job failed, for the task's `error`. A split task's job fails with BullMQ's
   * "child <key> failed" when one of its parts failed for good, which may come before the part's
   * own failure is recorded: the task says why the part failed instead.
   */
  const reasonOf = async (error: Error): Promise<string> => {
    const partId = /^child .*:([^:]+) failed$/.exec(error.message)?.[1]
    const part = partId === undefined ? undefined : await Job.fromId<PartJob>(parts, partId).catch(() => undefined)
    return inWords(part?.failedReason || error.message)
  }

  tasks.on('failed', (job, error) => {
    if (!job) return
    const { taskId } = job.data
    const final = isFinalFailure(job, error)
    log.warn('task job failed', { task_id: taskId, attempts: job.attemptsMade, final, reason: error.message })
    settle(
      taskId,
      final
        ? reasonOf(error).then(reason => failTask(db, taskId, reason))
        : retryTask(db, taskId, `attempt ${job.attemptsMade} failed: ${error.message}`),
    )
  })
  parts.on('failed', (job, error) => {
    if (!job) return
    const final = isFinalFailure(job, error)
    log.warn('part job failed', {
      task_id: job.data.taskId,
      part: job.id,
      attempts: job.attemptsMade,
      final,
      reason: error.message,
    })
    if (final) settle(job.data.taskId, failTask(db, job.data.taskId, inWords(error.message)))
  })
}
