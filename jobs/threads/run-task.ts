import { type ClaimedTask, claimTask, loadRunningTask } from '../../src/tasks/lifecycle'
import { statusEvent } from '../events/task-events'
import { AnalysisError } from '../kernels/analysis-error'
import { createKernel } from '../kernels/create-kernel'
import type { AnyKernel } from '../kernels/kernel'
import type { PartJob, SplitState, TaskJobData } from '../queue/job-data'
import { CancelledError, checkStop } from './check-stop'
import { type FinishOutcome, finishTask } from './finish-task'
import { mergeParts, type PartOutput } from './run-rounds'
import { runUnsplitTask } from './run-unsplit-task'
import { chunkRange, partsOf, totalWork } from './split-plan'
import type { ThreadEnv } from './thread-env'

/** What the task processor needs from its BullMQ job (the sandbox gives these). */
export type TaskJobHandle = {
  data: TaskJobData
  attemptsMade: number
  updateData(state: SplitState): Promise<void>
  queueParts(parts: PartJob[]): Promise<void>
  /** Parks the job until its queued parts are done; false when none is left to wait for. */
  waitForParts(): Promise<boolean>
  /** The results of one round's parts, in part order. */
  partOutputs(attempt: number, round: number, parts: number): Promise<PartOutput[]>
}

/** `waiting`: parts are running; the processor hands the job back to BullMQ until they finish. */
export type TaskRunOutcome = FinishOutcome | 'skipped' | 'waiting'

const isSplitState = (data: TaskJobData): data is SplitState => 'round' in data

function kernelOf(task: ClaimedTask): { kernel: AnyKernel; version: NonNullable<ClaimedTask['version']> } {
  if (!task.version) throw new AnalysisError('the data this task was started on no longer exists')
  return { kernel: createKernel(task.kind, task.params, task.version.columns), version: task.version }
}

/**
 * One run of a task's processor. A first run claims the task (a new attempt); small data is
 * analysed right here, large data is split: each round's parts are queued as child jobs (any
 * worker thread on any machine may take them) and the job waits; when they are done the
 * processor runs again, merges them, and queues the next round or stores the result. Only the
 * attempt that claimed the task can store, so a job delivered twice has one effect.
 */
export async function runTask(env: ThreadEnv, job: TaskJobHandle, signal?: AbortSignal): Promise<TaskRunOutcome> {
  let state: SplitState
  if (isSplitState(job.data) && job.data.jobAttempt === job.attemptsMade) state = job.data
  else {
    const task = await claimTask(env.progressDb, job.data.taskId)
    if (!task) return 'skipped'
    await env.events.publish(statusEvent(task))
    if (task.status === 'cancelled') return 'skipped'
    const { kernel, version } = kernelOf(task)
    const deadline = Date.now() + env.timeoutMs
    if (version.rowCount < env.split.minRows || version.chunkCount < 2)
      return runUnsplitTask(env, task, kernel, deadline, signal)
    state = {
      taskId: task.id,
      attempt: task.attempts,
      jobAttempt: job.attemptsMade,
      round: 0,
      queued: false,
      ctx: kernel.start,
      deadline,
    }
    await job.updateData(state)
  }
  const task = await loadRunningTask(env.db, state.taskId, state.attempt)
  if (!task) return 'superseded'
  if (task.cancelRequested) throw new CancelledError('cancelled')
  const { kernel, version } = kernelOf(task)
  const parts = (round: number) => partsOf(kernel, round, env.split.parts, version.chunkCount)
  const work = totalWork(kernel, version.rowCount, parts)
  for (;;) {
    checkStop(signal, state.deadline, env.timeoutMs)
    const round = kernel.rounds[state.round]
    if (!round) {
      return finishTask(env, task, kernel.finish(state.ctx), work)
    }
    const n = parts(state.round)
    if (!state.queued) {
      await job.queueParts(
        Array.from({ length: n }, (_, part) => ({
          taskId: task.id,
          attempt: task.attempts,
          round: state.round,
          part,
          parts: n,
          totalWork: work,
          deadline: state.deadline,
          ...(round.by === 'chunks' ? chunkRange(part, n, version.chunkCount) : { from: 0, to: version.chunkCount }),
        })),
      )
      state = { ...state, queued: true }
      await job.updateData(state)
    }
    if (await job.waitForParts()) return 'waiting'
    const merged = mergeParts(round, await job.partOutputs(task.attempts, state.round, n))
    state = {
      ...state,
      ctx: round.fold(state.ctx, merged, parts(state.round + 1)),
      round: state.round + 1,
      queued: false,
    }
    await job.updateData(state)
  }
}
