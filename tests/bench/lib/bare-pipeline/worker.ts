import { Worker } from 'bullmq'
import { Redis } from 'ioredis'

/** The worker of the bare pipeline: a BullMQ worker whose processor runs in worker threads. */
const worker = new Worker('bare', new URL('./processor.ts', import.meta.url).pathname, {
  connection: new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null }),
  prefix: process.env.QUEUE_PREFIX,
  useWorkerThreads: true,
  concurrency: Number(process.env.WORKER_CONCURRENCY),
})

process.on('SIGTERM', async () => {
  await worker.close()
  process.exit(0)
})
