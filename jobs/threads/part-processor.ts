import { workerData } from 'node:worker_threads'
import { Job, type SandboxedJob } from 'bullmq'
import type { PartJob, SplitState, TaskJobData } from '../queue/job-data'
import { createAnalysisQueue } from '../queue/queues'
import { jobFailure } from './job-failure'
import { runPartJob } from './run-part'
import { type ThreadData, threadEnv } from './thread-env'

const env = threadEnv(workerData as ThreadData)
const tasksQueue = createAnalysisQueue(env.redis, env.queuePrefix)

/** BullMQ's sandboxed processor for the parts of split tasks, in a worker thread. */
export default async function analysePart(job: SandboxedJob<PartJob>, token?: string, signal?: AbortSignal) {
  const parentContext = async () => {
    const parent = await Job.fromId<TaskJobData>(tasksQueue, job.data.taskId)
    return (parent?.data as SplitState | undefined)?.ctx
  }
  try {
    return await runPartJob(env, job.data, parentContext, signal)
  } catch (error) {
    throw await jobFailure(job, token, error)
  }
}
