import { type Subprocess, spawn } from 'bun'
import { Redis } from 'ioredis'
import { createTestPrefix, REDIS_URL } from '../../../support/services'
import { BARE_EVENTS } from './channel'

export type BarePipeline = {
  pids: { api: number; worker: number }
  post(): Promise<unknown>
  completed(): number
  stop(): Promise<void>
}

/**
 * What DESIGN.md asks of every task and nothing else, as a floor for the throughput benchmark:
 * an HTTP POST that commits a task row and enqueues its id, a BullMQ worker whose threads claim
 * the row, publish `running`, commit a result and publish `completed`. It runs on the
 * benchmark's own database (its `tasks` table, indexes and foreign key) against one dataset.
 */
export async function startBarePipeline(options: {
  databaseUrl: string
  datasetId: string
  datasetVersion: number
  port: number
  concurrency: number
}): Promise<BarePipeline> {
  const prefix = createTestPrefix()
  const env = {
    ...process.env,
    DATABASE_URL: options.databaseUrl,
    REDIS_URL,
    QUEUE_PREFIX: prefix.prefix,
    PORT: String(options.port),
    DATASET_ID: options.datasetId,
    DATASET_VERSION: String(options.datasetVersion),
    WORKER_CONCURRENCY: String(options.concurrency),
  }
  const here = new URL('./', import.meta.url).pathname
  const children: Subprocess[] = ['api.ts', 'worker.ts'].map(file =>
    spawn(['bun', `${here}${file}`], { env, stdout: 'inherit', stderr: 'inherit' }),
  )
  const url = `http://127.0.0.1:${options.port}/`
  const subscriber = new Redis(REDIS_URL)
  let completed = 0
  subscriber.on('message', (_channel: string, message: string) => {
    if (message.includes('"status":"completed"')) completed++
  })
  const stop = async () => {
    for (const child of children) child.kill('SIGTERM')
    await Promise.all(children.map(child => child.exited))
    subscriber.disconnect()
    await prefix.clear()
  }
  try {
    await subscriber.subscribe(BARE_EVENTS)
    await waitForServer(url)
  } catch (error) {
    await stop()
    throw error
  }
  return {
    pids: { api: children[0]!.pid, worker: children[1]!.pid },
    async post() {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"kind":"profile"}',
      })
      if (response.status !== 202) throw new Error(`bare pipeline answered ${response.status}`)
      return response.json()
    },
    completed: () => completed,
    stop,
  }
}

async function waitForServer(url: string): Promise<void> {
  const deadline = Date.now() + 20_000
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).status === 204) return
    } catch {}
    await Bun.sleep(100)
  }
  throw new Error(`bare pipeline at ${url} did not start`)
}
