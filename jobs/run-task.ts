import type { Database } from '../src/db/client'
import { decodeStored, readChunks } from '../src/storage/chunk-store'
import { AnalysisError } from './errors'
import { runUnsplit, stepper } from './execute'
import { createKernel } from './kernels'
import { ProgressReporter } from './progress'
import { claimTask, completeTask, type ProgressUpdate, saveProgress } from './task-store'

/**
 * Where an attempt writes. `progressDb` commits without waiting for the WAL flush: a claim or a
 * progress update lost in a database crash is harmless (the job runs again), while the result,
 * written through `db`, is durable before the job completes.
 */
export type TaskStores = { db: Database; progressDb: Database }

export type TaskRunContext = {
  signal?: AbortSignal
  /** Progress beyond PostgreSQL: the BullMQ job's progress, which reaches QueueEvents listeners. */
  onProgress: (update: ProgressUpdate) => Promise<void>
}

async function* each<T>(items: T[]): AsyncGenerator<T> {
  yield* items
}

export type TaskRunOutcome = 'completed' | 'skipped' | 'superseded'

/**
 * One attempt at a task: claim it, read its pinned data version chunk by chunk, run the kernel,
 * store the result. Only the claiming attempt can store, so a job that runs twice has one effect.
 */
export async function runTask(
  { db, progressDb }: TaskStores,
  taskId: string,
  context: TaskRunContext,
): Promise<TaskRunOutcome> {
  const task = await claimTask(progressDb, taskId)
  if (!task) return 'skipped'
  const { version } = task
  if (!version) throw new AnalysisError('the data this task was started on no longer exists')
  const kernel = createKernel(task.kind, task.params, version.columns)
  const reporter = new ProgressReporter(async update => {
    await Promise.all([saveProgress(progressDb, task.id, task.attempts, update), context.onProgress(update)])
  })
  const result = await runUnsplit(
    kernel,
    task.chunks
      ? each(task.chunks.map(decodeStored))
      : readChunks(db, task.datasetId, task.datasetVersion, 0, version.chunkCount),
    version.rowCount,
    stepper(reporter, context.signal),
  )
  const stored = await completeTask(db, task.id, task.attempts, result, version.rowCount)
  return stored ? 'completed' : 'superseded'
}
