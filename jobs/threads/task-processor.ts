import { workerData } from 'node:worker_threads'
import { type SandboxedJob, WaitingChildrenError } from 'bullmq'
import type { SplitState, TaskJobData } from '../queue/job-data'
import { createPartsQueue, PART_JOB_OPTIONS, partJobId } from '../queue/queues'
import { jobFailure } from './job-failure'
import type { PartOutput } from './run-rounds'
import { runTask, type TaskJobHandle } from './run-task'
import { type ThreadData, threadEnv } from './thread-env'

const env = threadEnv(workerData as ThreadData)
const partsQueue = createPartsQueue(env.redis, env.queuePrefix)

function handleOf(job: SandboxedJob<TaskJobData>, token: string | undefined): TaskJobHandle {
  return {
    data: job.data,
    attemptsMade: job.attemptsMade,
    updateData: (state: SplitState) => job.updateData(state),
    async queueParts(parts) {
      const parent = { id: job.id, queue: job.queueQualifiedName }
      await partsQueue.addBulk(
        parts.map(data => ({ name: 'part', data, opts: { ...PART_JOB_OPTIONS, jobId: partJobId(data), parent } })),
      )
    },
    waitForParts: () => job.moveToWaitingChildren(token),
    async partOutputs(attempt, round, parts) {
      const values = await job.getChildrenValues<PartOutput>()
      const byId = new Map(Object.entries(values).map(([key, value]) => [key.slice(key.lastIndexOf(':') + 1), value]))
      return Array.from({ length: parts }, (_, part) => {
        const id = partJobId({ taskId: job.data.taskId, attempt, round, part })
        if (!byId.has(id)) throw new Error(`the result of part ${part} of round ${round} is missing`)
        return byId.get(id)
      })
    },
  }
}

/** BullMQ's sandboxed processor for tasks: runs in a long-lived worker thread of the worker process. */
export default async function analyse(job: SandboxedJob<TaskJobData>, token?: string, signal?: AbortSignal) {
  try {
    const outcome = await runTask(env, handleOf(job, token), signal)
    if (outcome === 'waiting') throw new WaitingChildrenError()
    return outcome
  } catch (error) {
    throw await jobFailure(job, token, error)
  }
}
