import { Redis } from 'ioredis'
import postgres from 'postgres'
import { eventsChannel } from '../../jobs/events/task-events'
import { seedSynthetic } from '../support/seed'
import { createTestPrefix, REDIS_URL } from '../support/services'
import { AUTH, fmt, freshDatabase, percentile, startSystem } from './lib/services'

const CLIENTS = 5000
const TASKS = 50
const ROUNDS = 20
const INTERVAL_MS = 100
/** Where the publish time sits in a progress frame's data. */
const STAMP = '"stage":"t:'

const now = () => performance.timeOrigin + performance.now()

/** The api process's resident memory now and at its peak, from /proc. */
async function rssOf(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await Bun.file(`/proc/${pid}/status`).text()
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)![1]) * 1024
  return { rss: kb('VmRSS'), peak: kb('VmHWM') }
}

/**
 * 5,000 SSE clients on one api process, 100 on each of 50 running tasks. A stand-in worker
 * publishes progress for every task every 100 ms, stamping each event with its send time (in
 * `stage`), so every client measures the delay from publish to receipt.
 */
export async function events(): Promise<Record<string, string>> {
  // Bun reads its fetch cap once at start-up; `bun run bench` raises it.
  if (Number(process.env.BUN_CONFIG_MAX_HTTP_REQUESTS ?? 256) < CLIENTS)
    throw new Error(`run through \`bun run bench\`: it raises BUN_CONFIG_MAX_HTTP_REQUESTS above ${CLIENTS}`)
  const db = await freshDatabase('dd_bench_events')
  const prefix = createTestPrefix()
  const system = await startSystem({ databaseUrl: db.url, prefix: prefix.prefix, port: 3304 })
  const sql = postgres(db.url, { max: 1 })
  const publisher = new Redis(REDIS_URL)
  const controllers: AbortController[] = []
  try {
    const dataset = await seedSynthetic(db.url, 10, 10)
    const version = (await sql`select version from datasets where id = ${dataset}`)[0]!.version as number
    const tasks = await sql`
      insert into tasks (dataset_id, dataset_version, kind, status, attempts, started_at)
      select ${dataset}, ${version}, 'profile', 'running', 1, now() from generate_series(1, ${TASKS})
      returning id`
    const delays: number[] = []
    let received = 0
    let connected = 0
    const decoder = new TextDecoder()
    const readers = Array.from({ length: CLIENTS }, async (_, i) => {
      const controller = new AbortController()
      controllers.push(controller)
      const res = await fetch(`${system.baseUrl}/api/tasks/${tasks[i % TASKS]!.id}/events`, {
        headers: AUTH,
        signal: controller.signal,
      })
      connected++
      let buffer = ''
      try {
        for await (const piece of res.body!) {
          buffer += decoder.decode(piece, { stream: true })
          let at = buffer.indexOf('\n\n')
          while (at >= 0) {
            const frame = buffer.slice(0, at)
            buffer = buffer.slice(at + 2)
            const stamp = frame.indexOf(STAMP)
            if (stamp >= 0) {
              delays.push(now() - Number.parseFloat(frame.slice(stamp + STAMP.length)))
              received++
            }
            at = buffer.indexOf('\n\n')
          }
        }
      } catch {
        // aborted at the end
      }
    })
    while (connected < CLIENTS) await Bun.sleep(50)
    await Bun.sleep(500)
    const memoryConnected = await rssOf(system.apiPid)
    for (let round = 1; round <= ROUNDS; round++) {
      for (const task of tasks)
        await publisher.publish(
          eventsChannel(prefix.prefix),
          JSON.stringify({
            type: 'progress',
            task_id: task.id,
            dataset_id: dataset,
            progress: round,
            stage: `t:${now()}`,
            rows_processed: round,
          }),
        )
      await Bun.sleep(INTERVAL_MS)
    }
    const expected = ROUNDS * CLIENTS
    const deadline = Date.now() + 10_000
    while (received < expected && Date.now() < deadline) await Bun.sleep(50)
    const memory = await rssOf(system.apiPid)
    for (const controller of controllers) controller.abort()
    await Promise.allSettled(readers)
    const sorted = delays.sort((a, b) => a - b)
    return {
      [`${CLIENTS} SSE clients (100 per task), ${ROUNDS} progress events per task`]: `${fmt((received / expected) * 100, 2)} % delivered (${received} of ${expected})`,
      'delay from publish to receipt': `p50 ${fmt(percentile(sorted, 0.5))} ms, p99 ${fmt(percentile(sorted, 0.99))} ms, max ${fmt(sorted.at(-1) ?? 0)} ms`,
      'api memory': `RSS ${fmt(memoryConnected.rss / 2 ** 20, 0)} MB with every client connected, peak ${fmt(memory.peak / 2 ** 20, 0)} MB`,
    }
  } finally {
    for (const controller of controllers) controller.abort()
    publisher.disconnect()
    await sql.end()
    await system.stop()
    await db.drop()
    await prefix.clear()
  }
}
