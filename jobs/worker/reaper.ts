import type { Database } from '../../src/db/client'
import type { Logger } from '../../src/logger'
import { failTask, sweepQuietTasks } from '../../src/tasks/lifecycle'
import { statusEvent, type TaskEventPublisher } from '../events/task-events'
import { type AnalysisQueue, enqueueAnalysis } from '../queue/queues'
import { keptReasonInWords } from './failure-reason'

export type ReaperOptions = {
  db: Database
  queue: AnalysisQueue
  events: TaskEventPublisher
  log: Logger
  graceMs: number
}

/**
 * Settles tasks that PostgreSQL says are unfinished but that nothing is working on any more: a
 * job lost with Redis, a crash between committing a task and queueing it, a completion lost
 * with PostgreSQL. Such a task is queued again (its claim counts a new attempt); one whose job
 * failed for good is recorded failed. A task is only looked at once it has been quiet for
 * `graceMs`, and only if its job is missing or finished, so work in progress is never touched.
 */
export async function reapOrphans({ db, queue, events, log, graceMs }: ReaperOptions): Promise<number> {
  return sweepQuietTasks(db, queue.opts.prefix ?? '', graceMs, async task => {
    const job = await queue.getJob(task.id)
    const state = job ? await job.getState() : 'missing'
    if (state === 'failed' && job) {
      const change = await failTask(
        db,
        task.id,
        job.failedReason ? keptReasonInWords(job.failedReason) : 'the job failed',
      )
      if (change) await events.publish(statusEvent(change))
    } else if (state === 'completed' || state === 'missing' || state === 'unknown') {
      await job?.remove().catch(() => {})
      await enqueueAnalysis(queue, task.id)
    } else return false
    log.warn('settled an orphaned task', { task_id: task.id, status: task.status, job_state: state })
    return true
  })
}

/** Sweeps every `intervalMs` until stopped; a sweep that fails is logged and the next one tries again. */
export function startReaper(options: ReaperOptions, intervalMs: number): { stop(): void } {
  const sweep = setInterval(() => {
    reapOrphans(options).catch(error =>
      options.log.warn('could not sweep for orphaned tasks', { error: error instanceof Error ? error.message : error }),
    )
  }, intervalMs)
  return { stop: () => clearInterval(sweep) }
}
