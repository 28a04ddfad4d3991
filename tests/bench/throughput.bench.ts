import { Queue, Worker } from 'bullmq'
import { type Subprocess, spawn } from 'bun'
import { Redis } from 'ioredis'
import postgres from 'postgres'
import { createTestPrefix, REDIS_URL } from '../support/services'
import { startBarePipeline } from './lib/bare-pipeline'
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

/** POSTs `count` tasks, IN_FLIGHT at a time, and waits until `completed()` has counted them all. */
async function runTasks(count: number, post: () => Promise<unknown>, completed: () => number): Promise<void> {
  const target = completed() + count
  let next = 0
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < count) {
        next++
        await post()
      }
    }),
  )
  const deadline = Date.now() + 300_000
  while (completed() < target) {
    if (Date.now() > deadline) throw new Error(`${target - completed()} tasks never completed`)
    await Bun.sleep(5)
  }
}

/**
 * Tasks per second and CPU per task once warm: a running system has compiled its hot paths, so
 * WARM_UP untimed tasks go first.
 */
async function warmRate(
  post: () => Promise<unknown>,
  completed: () => number,
  pids: { api: number; worker: number },
): Promise<{ rate: number; cpu: string }> {
  await runTasks(WARM_UP, post, completed)
  const cpuBefore = cpuSoFar(pids)
  const started = performance.now()
  await runTasks(TASKS, post, completed)
  const rate = TASKS / ((performance.now() - started) / 1000)
  return { rate, cpu: cpuPerTask(cpuBefore, cpuSoFar(pids), TASKS) }
}

/**
 * 2,000 small profile tasks through the whole pipeline (POST → queue → worker thread →
 * PostgreSQL → completed event), 32 requests in flight, beside two references measured in the
 * same run: BullMQ's own ceiling for no-op jobs through worker threads at the same concurrency,
 * and the bare pipeline, which does per task only what DESIGN.md requires (a committed row
 * before the enqueue, a claim and a result in PostgreSQL, a status event on each change).
 */
export async function throughput(): Promise<Record<string, string>> {
  const db = await freshDatabase('dd_bench_throughput')
  try {
    const system = await systemRate(db.url)
    const bare = await barePipelineRate(db.url, system.datasetId)
    const ceiling = await queueCeiling()
    return {
      [`${TASKS} small profile tasks, POST → completed (worker concurrency ${CONCURRENCY})`]: `${fmt(system.rate, 0)} tasks/s`,
      'bare pipeline, only what DESIGN.md requires per task': `${fmt(bare.rate, 0)} tasks/s`,
      [`BullMQ no-op jobs through worker threads (concurrency ${CONCURRENCY})`]: `${fmt(ceiling, 0)} jobs/s`,
      ratio: fmt(system.rate / ceiling, 2),
      'bare pipeline ratio': fmt(bare.rate / ceiling, 2),
      'CPU per task, by part (ms, from /proc)': system.cpu,
      'bare pipeline CPU per task': bare.cpu,
    }
  } finally {
    await db.drop()
  }
}

/** The real api and worker, counted done by the `completed` events of one `/api/events` stream. */
async function systemRate(databaseUrl: string): Promise<{ rate: number; cpu: string; datasetId: string }> {
  const prefix = createTestPrefix()
  const system = await startSystem({ databaseUrl, prefix: prefix.prefix, port: 3305 })
  let worker: Subprocess | undefined
  const watch = new AbortController()
  try {
    worker = spawn(['bun', 'jobs/worker/main.ts', '--concurrency', String(CONCURRENCY)], {
      cwd: new URL('../../', import.meta.url).pathname,
      env: { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL, QUEUE_PREFIX: prefix.prefix, LOG_LEVEL: 'warn' },
      stdout: 'ignore',
      stderr: 'inherit',
    })
    const rows = Array.from({ length: 100 }, (_, i) => ({ x: i * 1.5, n: i % 7, label: `g${i % 3}` }))
    const { id } = await postJson<{ id: string }>(`${system.baseUrl}/api/datasets`, { name: 'small', rows })
    const completed = countCompleted(
      await fetch(`${system.baseUrl}/api/events?dataset_id=${id}`, { headers: AUTH, signal: watch.signal }),
    )
    const post = () => postJson(`${system.baseUrl}/api/datasets/${id}/process`, { kind: 'profile' })
    return { ...(await warmRate(post, completed.count, { api: system.apiPid, worker: worker.pid })), datasetId: id }
  } finally {
    watch.abort()
    worker?.kill('SIGTERM')
    await worker?.exited
    await system.stop()
    await prefix.clear()
  }
}

/** The bare pipeline on the same database and dataset, once the real system has stopped. */
async function barePipelineRate(databaseUrl: string, datasetId: string): Promise<{ rate: number; cpu: string }> {
  const sql = postgres(databaseUrl, { max: 1 })
  const [dataset] = await sql<{ version: number }[]>`select version from datasets where id = ${datasetId}`
  await sql.end()
  const bare = await startBarePipeline({
    databaseUrl,
    datasetId,
    datasetVersion: dataset!.version,
    port: 3315,
    concurrency: CONCURRENCY,
  })
  try {
    return await warmRate(bare.post, bare.completed, bare.pids)
  } finally {
    await bare.stop()
  }
}
