import { type ClaimedTask, saveProgress } from '../../src/tasks/lifecycle'
import { progressEvent } from '../events/task-events'
import type { AnyKernel } from '../kernels/kernel'
import { checkStop } from './check-stop'
import { type FinishOutcome, finishTask } from './finish-task'
import { ProgressReporter } from './progress'
import { runUnsplit, type Step, yieldToEventLoop } from './run-rounds'
import { totalWork } from './split-plan'
import type { ThreadEnv } from './thread-env'

/**
 * The unsplit path: the data is small, so its chunks are read once (while the first round runs)
 * and kept, also for the thread's next analyses of the same data.
 */
export async function runUnsplitTask(
  env: ThreadEnv,
  task: ClaimedTask,
  kernel: AnyKernel,
  deadline: number,
  signal?: AbortSignal,
): Promise<FinishOutcome> {
  const version = task.version!
  const key = {
    datasetId: task.datasetId,
    version: task.datasetVersion,
    rowCount: version.rowCount,
    chunkCount: version.chunkCount,
  }
  const cached = env.cache.get(key)
  const work = totalWork(kernel, version.rowCount, () => 1)
  const reporter = new ProgressReporter(async update => {
    await saveProgress(env.progressDb, task.id, task.attempts, update)
    await env.events.publish(progressEvent(task, update))
  })
  let done = 0
  const step: Step = async (stage, rows) => {
    done += rows
    await yieldToEventLoop()
    checkStop(signal, deadline, env.timeoutMs)
    reporter.report((done / Math.max(work, 1)) * 100, stage, done)
  }
  const { result, chunks } = await runUnsplit(
    kernel,
    cached ?? env.chunks.read(task.datasetId, task.datasetVersion, 0, version.chunkCount),
    step,
  )
  // A kernel reads the chunks in its first round; one with no round read none, and keeps none.
  if (!cached && chunks.length === version.chunkCount) env.cache.put(key, chunks)
  await reporter.settled()
  return finishTask(env, task, result, work)
}
