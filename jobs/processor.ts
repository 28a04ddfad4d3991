import { workerData } from 'node:worker_threads'
import { type SandboxedJob, UnrecoverableError } from 'bullmq'
import { createDb } from '../src/db/client'
import { AnalysisError } from './errors'
import { CancelledError } from './execute'
import type { AnalysisJob } from './queue'
import { runTask } from './run-task'

/** What the worker process hands each analysis thread (threads read no environment). */
export type ThreadData = { databaseUrl: string }

const { databaseUrl } = workerData as ThreadData
const stores = {
  db: createDb(databaseUrl, { max: 2, applicationName: 'datadynamo-analysis' }),
  progressDb: createDb(databaseUrl, { max: 1, applicationName: 'datadynamo-analysis', relaxedCommit: true }),
}

/** BullMQ's sandboxed processor: runs in a long-lived worker thread of the worker process. */
export default async function analyse(job: SandboxedJob<AnalysisJob>, _token?: string, signal?: AbortSignal) {
  try {
    return await runTask(stores, job.data.taskId, { signal, onProgress: update => job.updateProgress(update) })
  } catch (error) {
    // Bad data or a cancel cannot be fixed by retrying; BullMQ recognises this error by name.
    if (error instanceof AnalysisError || error instanceof CancelledError) throw new UnrecoverableError(error.message)
    throw error
  }
}
