import { Queue, QueueEvents, Worker } from 'bullmq'
import { Redis } from 'ioredis'
import { createTestPrefix, REDIS_URL } from '../support/services'
import { AUTH, fmt, freshDatabase, percentile, postJson, startSystem } from './lib/services'

const TASKS = 200
const POLL_MS = 10

const summary = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b)
  return `p50 ${fmt(percentile(sorted, 0.5))} ms, p99 ${fmt(percentile(sorted, 0.99))} ms (n=${ms.length})`
}

/** BullMQ alone: a no-op job through a worker thread, add → completed, timed the same way. */
async function queueFloor(): Promise<number[]> {
  const processor = new URL('./lib/noop-processor.ts', import.meta.url).pathname
  const { prefix } = createTestPrefix()
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null })
  const queue = new Queue('noop', { connection, prefix })
  const worker = new Worker('noop', processor, {
    connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }),
    prefix,
    useWorkerThreads: true,
    concurrency: 2,
  })
  const events = new QueueEvents('noop', { connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }), prefix })
  await Promise.all([worker.waitUntilReady(), events.waitUntilReady()])
  const times: number[] = []
  try {
    for (let i = 0; i < TASKS + 10; i++) {
      const start = performance.now()
      const job = await queue.add('noop', {})
      await job.waitUntilFinished(events)
      if (i >= 10) times.push(performance.now() - start)
    }
  } finally {
    await worker.close()
    await events.close()
    await queue.obliterate({ force: true })
    await queue.close()
  }
  return times
}

/**
 * One small profile task at a time: POST …/process, then GET /api/tasks/{id} every 10 ms until
 * it is completed. Beside it, BullMQ's own round trip for a no-op job in a worker thread.
 */
export async function taskLatency(): Promise<Record<string, string>> {
  const db = await freshDatabase('dd_bench_latency')
  const redisPrefix = createTestPrefix()
  const system = await startSystem({ databaseUrl: db.url, prefix: redisPrefix.prefix, port: 3302, workers: 1 })
  try {
    const rows = Array.from({ length: 100 }, (_, i) => ({ x: i * 1.5, n: i % 7, label: `g${i % 3}` }))
    const { id } = await postJson<{ id: string }>(`${system.baseUrl}/api/datasets`, { name: 'small', rows })
    const times: number[] = []
    for (let i = 0; i < TASKS + 10; i++) {
      const start = performance.now()
      const task = await postJson<{ id: string }>(`${system.baseUrl}/api/datasets/${id}/process`, { kind: 'profile' })
      // Polls on a 10 ms cadence from the POST: at +10 ms, +20 ms, …
      for (let poll = 1; ; poll++) {
        await Bun.sleep(Math.max(0, start + poll * POLL_MS - performance.now()))
        const res = (await (await fetch(`${system.baseUrl}/api/tasks/${task.id}`, { headers: AUTH })).json()) as {
          status: string
        }
        if (res.status === 'completed') break
        if (res.status === 'failed') throw new Error(`task failed: ${JSON.stringify(res)}`)
      }
      if (i >= 10) times.push(performance.now() - start)
    }
    const floor = await queueFloor()
    return {
      'small profile task, POST → completed seen by GET (polled every 10 ms)': summary(times),
      'BullMQ no-op job in a worker thread, add → completed': summary(floor),
    }
  } finally {
    await system.stop()
    await db.drop()
    await redisPrefix.clear()
  }
}
