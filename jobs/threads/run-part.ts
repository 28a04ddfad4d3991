import { addProgress, loadRunningTask } from '../../src/tasks/lifecycle'
import { progressEvent } from '../events/task-events'
import { createKernel } from '../kernels/create-kernel'
import type { PartJob } from '../queue/job-data'
import { CancelledError, checkStop } from './check-stop'
import { ProgressShare } from './progress'
import { type PartOutput, runPart, type Step, yieldToEventLoop } from './run-rounds'
import type { ThreadEnv } from './thread-env'

/**
 * One part of one round of a split task: read its chunks, reduce them, hand the output back to
 * the parent job. Null when the task no longer runs under this attempt (cancelled, or a newer
 * attempt took over): there is nothing left to contribute to.
 */
export async function runPartJob(
  env: ThreadEnv,
  job: PartJob,
  parentContext: () => Promise<unknown>,
  signal?: AbortSignal,
): Promise<PartOutput | null> {
  const task = await loadRunningTask(env.db, job.taskId, job.attempt)
  if (!task?.version) return null
  if (task.cancelRequested) throw new CancelledError('cancelled')
  // A part that waited in the queue past its attempt's deadline reads nothing.
  checkStop(signal, job.deadline, env.timeoutMs)
  const kernel = createKernel(task.kind, task.params, task.version.columns)
  const round = kernel.rounds[job.round]!
  const ctx = await parentContext()
  const share = new ProgressShare(job.totalWork, async (percent, stage, rows) => {
    const update = await addProgress(env.progressDb, job.taskId, job.attempt, percent, stage, rows)
    if (update) await env.events.publish(progressEvent(task, update))
  })
  const step: Step = async (stage, rows) => {
    await yieldToEventLoop()
    checkStop(signal, job.deadline, env.timeoutMs)
    await share.report(stage, rows, rows)
  }
  const chunks = env.chunks.read(task.datasetId, task.datasetVersion, job.from, job.to)
  const output = await runPart(round, ctx, job.part, job.parts, chunks, step)
  await share.flush(round.stage)
  return output
}
