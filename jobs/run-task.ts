import type { Database } from '../src/db/client'
import { findVersion, readChunks } from '../src/storage/chunk-store'
import { AnalysisError } from './errors'
import { runUnsplit, stepper } from './execute'
import { createKernel } from './kernels'
import { ProgressReporter } from './progress'
import { claimTask, completeTask, type ProgressUpdate, saveProgress } from './task-store'

export type TaskRunContext = {
  signal?: AbortSignal
  /** Progress beyond PostgreSQL: the BullMQ job's progress, which reaches QueueEvents listeners. */
  onProgress: (update: ProgressUpdate) => Promise<void>
}

export type TaskRunOutcome = 'completed' | 'skipped' | 'superseded'

/**
 * One attempt at a task: claim it, read its pinned data version chunk by chunk, run the kernel,
 * store the result. Only the claiming attempt can store, so a job that runs twice has one effect.
 */
export async function runTask(db: Database, taskId: string, context: TaskRunContext): Promise<TaskRunOutcome> {
  const task = await claimTask(db, taskId)
  if (!task) return 'skipped'
  const version = await findVersion(db, task.datasetId, task.datasetVersion)
  if (!version) throw new AnalysisError('the data this task was started on no longer exists')
  const kernel = createKernel(task.kind, task.params, version.columns)
  const reporter = new ProgressReporter(async update => {
    await Promise.all([saveProgress(db, task.id, task.attempts, update), context.onProgress(update)])
  })
  const result = await runUnsplit(
    kernel,
    readChunks(db, task.datasetId, task.datasetVersion),
    version.rowCount,
    stepper(reporter, context.signal),
  )
  const stored = await completeTask(db, task.id, task.attempts, result, version.rowCount)
  return stored ? 'completed' : 'superseded'
}
