import {
  type ClaimedTask,
  type CompletionTimes,
  claimTask,
  completeTask,
  loadRunningTask,
  saveProgress,
} from '../../src/tasks/lifecycle'
import type { TaskJson } from '../../src/tasks/service'
import { statusEvent } from '../events/task-events'
import { AnalysisError } from '../kernels/analysis-error'
import { createKernel } from '../kernels/create-kernel'
import type { AnyKernel } from '../kernels/kernel'
import type { PartJob, SplitState, TaskJobData } from '../queue/job-data'
import { CancelledError, checkStop } from './check-stop'
import { ProgressReporter } from './progress'
import { mergeParts, type PartOutput, runUnsplit, type Step, yieldToEventLoop } from './run-rounds'
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
export type TaskRunOutcome = 'completed' | 'skipped' | 'superseded' | 'waiting'

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
      return runHere(env, task, kernel, deadline, signal)
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

/**
 * The unsplit path: the data is small, so its chunks are read once (while the first round runs)
 * and kept, also for the thread's next analyses of the same data.
 */
async function runHere(
  env: ThreadEnv,
  task: ClaimedTask,
  kernel: AnyKernel,
  deadline: number,
  signal?: AbortSignal,
): Promise<TaskRunOutcome> {
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
    await env.events.publish({ type: 'progress', task_id: task.id, dataset_id: task.datasetId, ...update })
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

/** A final task whose result is larger than this (bytes of JSON) is read back from PostgreSQL by the streams. */
const MAX_RESULT_IN_EVENT = 64 * 1024

/** Stores the result (if this attempt still owns the task) and announces it. */
async function finishTask(env: ThreadEnv, task: ClaimedTask, result: unknown, work: number): Promise<TaskRunOutcome> {
  const resultJson = JSON.stringify(result)
  const times = await completeTask(env.db, task.id, task.attempts, resultJson, work)
  if (!times) return 'superseded'
  const event = statusEvent({ ...task, status: 'completed' })
  await env.events.publish(
    Buffer.byteLength(resultJson) <= MAX_RESULT_IN_EVENT
      ? { ...event, task: completedJson(task, result, times) }
      : event,
  )
  return 'completed'
}

/** The completed task as the api shows it. */
const completedJson = (task: ClaimedTask, result: unknown, times: CompletionTimes): TaskJson => ({
  id: task.id,
  dataset_id: task.datasetId,
  kind: task.kind,
  params: task.params,
  status: 'completed',
  progress: 100,
  stage: 'done',
  result,
  error: null,
  attempts: task.attempts,
  created_at: times.createdAt,
  started_at: times.startedAt,
  finished_at: times.finishedAt,
})
