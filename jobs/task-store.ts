import { and, eq, inArray, sql } from 'drizzle-orm'
import type { Executor } from '../src/db/client'
import { type TaskRow, tasks } from '../src/db/schema'

export type ProgressUpdate = { progress: number; stage: string; rows_processed: number }

/**
 * Marks a task running for a new attempt. Null when there is nothing to run: the task was
 * deleted, cancelled or already finished (a job delivered twice must not run twice).
 */
export async function claimTask(db: Executor, taskId: string): Promise<TaskRow | null> {
  const [row] = await db
    .update(tasks)
    .set({
      status: 'running',
      attempts: sql`${tasks.attempts} + 1`,
      startedAt: sql`coalesce(${tasks.startedAt}, now())`,
      progress: 0,
      stage: 'starting',
      rowsProcessed: 0,
      error: null,
    })
    .where(and(eq(tasks.id, taskId), inArray(tasks.status, ['pending', 'running'])))
    .returning()
  return row ?? null
}

/** Writes progress for the attempt that owns the task; a stale attempt changes nothing. */
export async function saveProgress(
  db: Executor,
  taskId: string,
  attempt: number,
  update: ProgressUpdate,
): Promise<void> {
  await db
    .update(tasks)
    .set({ progress: update.progress, stage: update.stage, rowsProcessed: update.rows_processed })
    .where(and(eq(tasks.id, taskId), eq(tasks.attempts, attempt), eq(tasks.status, 'running')))
}

/** Stores the result; only the attempt that owns a running task can, so the effect happens once. */
export async function completeTask(
  db: Executor,
  taskId: string,
  attempt: number,
  result: unknown,
  rows: number,
): Promise<boolean> {
  const updated = await db
    .update(tasks)
    .set({
      status: 'completed',
      progress: 100,
      stage: 'done',
      rowsProcessed: rows,
      result,
      error: null,
      finishedAt: sql`now()`,
    })
    .where(and(eq(tasks.id, taskId), eq(tasks.attempts, attempt), eq(tasks.status, 'running')))
    .returning({ id: tasks.id })
  return updated.length > 0
}

/** The final failure of a task, after its retries. */
export async function failTask(db: Executor, taskId: string, reason: string): Promise<boolean> {
  const updated = await db
    .update(tasks)
    .set({ status: 'failed', stage: 'failed', error: reason, finishedAt: sql`now()` })
    .where(and(eq(tasks.id, taskId), inArray(tasks.status, ['pending', 'running'])))
    .returning({ id: tasks.id })
  return updated.length > 0
}

/** An attempt failed but another will follow: back to pending, with the reason on record. */
export async function retryTask(db: Executor, taskId: string, reason: string): Promise<void> {
  await db
    .update(tasks)
    .set({ status: 'pending', stage: 'retrying', error: reason })
    .where(and(eq(tasks.id, taskId), eq(tasks.status, 'running')))
}
