import { Job, type Worker } from 'bullmq'
import type { Database } from '../../src/db/client'
import type { Logger } from '../../src/logger'
import { failTask, retryTask, type TaskChange } from '../../src/tasks/lifecycle'
import { statusEvent, type TaskEventPublisher } from '../events/task-events'
import type { PartJob, TaskJobData } from '../queue/job-data'
import { UNEXPECTED_FAILURE } from '../threads/job-failure'
import { failureDetail, type JobError, keptReasonInWords, reasonOf } from './failure-reason'

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
  const taskReasonOf = async (error: JobError): Promise<string> => {
    const partId = /^child .*:([^:]+) failed$/.exec(error.message)?.[1]
    const part = partId === undefined ? undefined : await Job.fromId<PartJob>(parts, partId).catch(() => undefined)
    return part?.failedReason ? keptReasonInWords(part.failedReason) : reasonOf(error)
  }

  /**
   * The log line of a failure, with the task id: the words the task shows, and what happened in
   * detail whenever the words leave something out (an unexpected error, a reason of BullMQ's).
   */
  const logFailure = (what: string, fields: Record<string, unknown>, error: JobError, reason: string) => {
    const detail = error.detail || error.inWords !== true ? { error: failureDetail(error) } : {}
    if (reason === UNEXPECTED_FAILURE) log.error(`${what} failed unexpectedly`, { ...fields, reason, ...detail })
    else log.warn(`${what} failed`, { ...fields, reason, ...detail })
  }

  tasks.on('failed', (job, error: JobError) => {
    if (!job) return
    const { taskId } = job.data
    const final = isFinalFailure(job, error)
    const reason = reasonOf(error)
    logFailure('task job', { task_id: taskId, attempts: job.attemptsMade, final }, error, reason)
    settle(
      taskId,
      final
        ? taskReasonOf(error).then(why => failTask(db, taskId, why))
        : retryTask(db, taskId, `attempt ${job.attemptsMade} failed: ${reason}`),
    )
  })
  parts.on('failed', (job, error: JobError) => {
    if (!job) return
    const final = isFinalFailure(job, error)
    const reason = reasonOf(error)
    logFailure('part job', { task_id: job.data.taskId, part: job.id, attempts: job.attemptsMade, final }, error, reason)
    if (final) settle(job.data.taskId, failTask(db, job.data.taskId, reason))
  })
}
