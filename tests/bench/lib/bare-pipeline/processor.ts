import type { SandboxedJob } from 'bullmq'
import { Redis } from 'ioredis'
import postgres from 'postgres'
import { BARE_EVENTS } from './channel'

/**
 * What a worker thread of the bare pipeline does per task, and no more: claims the task in one
 * statement that does not wait for the WAL flush (reading what a run needs: kind, params, data
 * version), says so on pub/sub, writes a fixed result durably and says that too. No kernel, no
 * data, no progress.
 */
const { DATABASE_URL, REDIS_URL } = process.env
const durable = postgres(DATABASE_URL!, { max: 1 })
const relaxed = postgres(DATABASE_URL!, { max: 1, connection: { synchronous_commit: 'off' } })
const redis = new Redis(REDIS_URL!)

const RESULT = { rows: 100, columns: [{ name: 'x', type: 'float', count: 100, mean: 74.25 }] }

export default async function runBareTask(job: SandboxedJob<{ taskId: string }>): Promise<null> {
  const id = job.data.taskId
  const [claimed] = await relaxed<{ attempts: number }[]>`
    update tasks set status = 'running', attempts = attempts + 1, started_at = now(), updated_at = now()
    where id = ${id} and status = 'pending'
    returning attempts, kind, params, dataset_id, dataset_version`
  if (!claimed) return null
  await redis.publish(BARE_EVENTS, JSON.stringify({ task_id: id, status: 'running', attempts: claimed.attempts }))
  await durable`
    update tasks set status = 'completed', progress = 100, result = ${durable.json(RESULT)},
           finished_at = now(), updated_at = now()
    where id = ${id}`
  await redis.publish(BARE_EVENTS, JSON.stringify({ task_id: id, status: 'completed', result: RESULT }))
  return null
}
