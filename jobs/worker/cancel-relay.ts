import type { Job, Worker } from 'bullmq'
import type { Redis } from 'ioredis'
import type { Logger } from '../../src/logger'
import { cancelChannel } from '../events/task-events'
import type { PartJob, TaskJobData } from '../queue/job-data'

export type CancelRelay = { close(): void }

/**
 * Stops the jobs of a task when any api asks (on the cancel channel): the relay keeps the jobs
 * running in this process by task, and cancels each through the BullMQ worker running it,
 * which aborts the signal its thread checks between chunks.
 */
export function relayCancels(
  { tasks, parts }: { tasks: Worker<TaskJobData>; parts: Worker<PartJob> },
  subscriber: Redis,
  prefix: string,
  log: Logger,
): CancelRelay {
  const running = new Map<string, Map<string, Worker>>()
  const track = (worker: Worker) => (job: Job<TaskJobData | PartJob>) => {
    const jobs = running.get(job.data.taskId) ?? new Map<string, Worker>()
    running.set(job.data.taskId, jobs.set(job.id!, worker))
  }
  const untrack = (job: Job<TaskJobData | PartJob> | undefined) => {
    if (!job) return
    const jobs = running.get(job.data.taskId)
    jobs?.delete(job.id!)
    if (jobs?.size === 0) running.delete(job.data.taskId)
  }
  tasks.on('active', track(tasks))
  parts.on('active', track(parts))
  for (const worker of [tasks, parts]) {
    worker.on('completed', untrack)
    worker.on('failed', untrack)
  }

  subscriber.subscribe(cancelChannel(prefix)).catch(error => log.error('cannot hear cancels', { error }))
  subscriber.on('message', (_channel: string, taskId: string) => {
    for (const [jobId, worker] of running.get(taskId) ?? []) worker.cancelJob(jobId, 'cancelled')
  })
  return { close: () => subscriber.disconnect() }
}
