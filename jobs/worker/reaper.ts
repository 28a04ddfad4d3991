import { and, inArray, lt, sql } from 'drizzle-orm'
import type { Database } from '../../src/db/client'
import { tasks } from '../../src/db/schema'
import type { Logger } from '../../src/logger'
import { failTask } from '../../src/tasks/lifecycle'
import { statusEvent, type TaskEventPublisher } from '../events/task-events'
import { type AnalysisQueue, enqueueAnalysis } from '../queue/queues'

/** One worker at a time sweeps: the lock is per queue prefix (the two-key form takes 32-bit keys). */
export const REAPER_LOCK = 727_274_002

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
  return db.transaction(async tx => {
    const [lock] = await tx.execute<{ locked: boolean }>(
      sql`select pg_try_advisory_xact_lock(${REAPER_LOCK}, hashtext(${queue.opts.prefix ?? ''})) as locked`,
    )
    if (!lock?.locked) return 0
    const quiet = await tx
      .select({ id: tasks.id, status: tasks.status })
      .from(tasks)
      .where(
        and(
          inArray(tasks.status, ['pending', 'running']),
          lt(tasks.updatedAt, sql`now() - ${`${graceMs} milliseconds`}::interval`),
        ),
      )
      .limit(500)
    let settled = 0
    for (const task of quiet) {
      const job = await queue.getJob(task.id)
      const state = job ? await job.getState() : 'missing'
      if (state === 'failed' && job) {
        const change = await failTask(db, task.id, job.failedReason || 'the job failed')
        if (change) await events.publish(statusEvent(change))
      } else if (state === 'completed' || state === 'missing' || state === 'unknown') {
        await job?.remove().catch(() => {})
        await enqueueAnalysis(queue, task.id)
      } else continue
      settled++
      log.warn('settled an orphaned task', { task_id: task.id, status: task.status, job_state: state })
    }
    return settled
  })
}
