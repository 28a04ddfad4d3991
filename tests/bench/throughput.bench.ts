import { Queue, Worker } from 'bullmq'
import { type Subprocess, spawn } from 'bun'
import { Redis } from 'ioredis'
import { createTestPrefix, REDIS_URL } from '../support/services'
import { cpuPerTask, cpuSoFar } from './lib/cpu-time'
import { AUTH, fmt, freshDatabase, postJson, startSystem } from './lib/services'

const TASKS = 2000
const CONCURRENCY = 4
const IN_FLIGHT = 32
const WARM_UP = 500

/** BullMQ alone: no-op jobs through worker threads at the same concurrency, jobs per second once warm. */
async function queueCeiling(): Promise<number> {
  const { prefix, clear } = createTestPrefix()
  const processor = new URL('./lib/noop-processor.ts', import.meta.url).pathname
  const queue = new Queue('noop', { connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }), prefix })
  const worker = new Worker('noop', processor, {
    connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }),
    prefix,
    useWorkerThreads: true,
    concurrency: CONCURRENCY,
  })
  try {
    await worker.waitUntilReady()
    let done = 0
    let target = 0
    let reached = () => {}
    worker.on('completed', () => ++done === target && reached())
    const run = async (count: number) => {
      target = done + count
      const all = new Promise<void>(resolve => {
        reached = resolve
      })
      await queue.addBulk(
        Array.from({ length: count }, () => ({ name: 'noop', data: {}, opts: { removeOnComplete: true } })),
      )
      await all
    }
    await run(WARM_UP)
    const started = performance.now()
    await run(TASKS)
    return TASKS / ((performance.now() - started) / 1000)
  } finally {
    await worker.close()
    await queue.obliterate({ force: true })
    await queue.close()
    await clear()
  }
}

/** Counts `completed` events on an SSE stream; frames may be split across reads. */
function countCompleted(stream: Response): { count(): number } {
  let completed = 0
  void (async () => {
    const decoder = new TextDecoder()
    let buffer = ''
    for await (const piece of stream.body!) {
      buffer += decoder.decode(piece, { stream: true })
      const frames = buffer.split('\n\n')
      buffer = frames.pop()!
      completed += frames.filter(frame => frame.includes('\nevent: completed\n')).length
    }
  })().catch(() => {
    // the stream is aborted when the benchmark ends
  })
  return { count: () => completed }
}

/**
 * 2,000 small profile tasks through the whole pipeline (POST → queue → worker thread →
 * PostgreSQL → completed event), 32 requests in flight, beside BullMQ's own ceiling for no-op
 * jobs through worker threads at the same concurrency, measured in the same run. Both sides
 * first run 500 untimed jobs, so that the figures are those of a warm system.
 */
export async function throughput(): Promise<Record<string, string>> {
  const db = await freshDatabase('dd_bench_throughput')
  const prefix = createTestPrefix()
  const system = await startSystem({ databaseUrl: db.url, prefix: prefix.prefix, port: 3305 })
  let worker: Subprocess | undefined
  const watch = new AbortController()
  try {
    worker = spawn(['bun', 'jobs/worker.ts', '--concurrency', String(CONCURRENCY)], {
      cwd: new URL('../../', import.meta.url).pathname,
      env: { ...process.env, DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: prefix.prefix, LOG_LEVEL: 'warn' },
      stdout: 'ignore',
      stderr: 'inherit',
    })
    const rows = Array.from({ length: 100 }, (_, i) => ({ x: i * 1.5, n: i % 7, label: `g${i % 3}` }))
    const { id } = await postJson<{ id: string }>(`${system.baseUrl}/api/datasets`, { name: 'small', rows })
    const completed = countCompleted(
      await fetch(`${system.baseUrl}/api/events?dataset_id=${id}`, { headers: AUTH, signal: watch.signal }),
    )
    const submit = async (count: number) => {
      let next = 0
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (next < count) {
            next++
            await postJson(`${system.baseUrl}/api/datasets/${id}/process`, { kind: 'profile' })
          }
        }),
      )
    }
    // A running system has compiled its hot paths: warm the api, worker and threads up first.
    await submit(WARM_UP)
    while (completed.count() < WARM_UP) await Bun.sleep(10)
    const pids = { api: system.apiPid, worker: worker.pid }
    const cpuBefore = cpuSoFar(pids)
    const started = performance.now()
    await submit(TASKS)
    while (completed.count() < WARM_UP + TASKS) await Bun.sleep(5)
    const rate = TASKS / ((performance.now() - started) / 1000)
    const cpu = cpuPerTask(cpuBefore, cpuSoFar(pids), TASKS)
    const ceiling = await queueCeiling()
    return {
      [`${TASKS} small profile tasks, POST → completed (worker concurrency ${CONCURRENCY})`]: `${fmt(rate, 0)} tasks/s`,
      [`BullMQ no-op jobs through worker threads (concurrency ${CONCURRENCY})`]: `${fmt(ceiling, 0)} jobs/s`,
      ratio: fmt(rate / ceiling, 2),
      'CPU per task, by part (ms, from /proc)': cpu,
    }
  } finally {
    watch.abort()
    worker?.kill('SIGTERM')
    await worker?.exited
    await system.stop()
    await db.drop()
    await prefix.clear()
  }
}
