import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { sql } from 'drizzle-orm'
import { createRedis } from '../../../jobs/queue/redis'
import { type AnalysisWorkers, startAnalysisWorkers } from '../../../jobs/worker/analysis-workers'
import { createDb } from '../../../src/db/client'
import type { LogFields, Logger } from '../../../src/logger'
import { createHarness, type Harness, taskEnded, waitFor } from '../../support/harness'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(60_000)

type Line = { level: string; msg: string } & LogFields

/** A logger that keeps what the worker says, so the test can read its log. */
function recordingLogger(lines: Line[], base: LogFields = {}): Logger {
  const write = (level: string) => (msg: string, fields?: LogFields) =>
    void lines.push({ level, msg, ...base, ...fields })
  return {
    enabled: () => true,
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: fields => recordingLogger(lines, { ...base, ...fields }),
  }
}

const UNEXPECTED = 'the analysis failed unexpectedly'

let h: Harness
let workers: AnalysisWorkers
const lines: Line[] = []
const connections: ReturnType<typeof createRedis>[] = []

beforeAll(async () => {
  h = await createHarness()
  const db = createDb(h.config.databaseUrl, { max: 2 })
  const connection = () => {
    const redis = createRedis(h.config.redisUrl, 'blocking')
    connections.push(redis)
    return redis
  }
  workers = startAnalysisWorkers({
    connection,
    config: { ...h.config, workerConcurrency: 2, analysisThreads: 2 },
    db,
    log: recordingLogger(lines),
  })
  workers.tasks.on('closed', () => void db.$client.end())
  await Promise.all([workers.tasks.waitUntilReady(), workers.parts.waitUntilReady()])
})
afterAll(async () => {
  await workers.close()
  for (const redis of connections) redis.disconnect()
  await h.close()
})

/** The error a task shows while it waits for its next attempt, and the task once it has ended. */
async function failedTwiceThenForGood(taskId: string) {
  const retrying = await waitFor(
    async () => {
      const task = (await h.request('GET', `/api/tasks/${taskId}`)).body
      return task.status === 'pending' && task.attempts === 1 ? task : null
    },
    20_000,
    'the first retry',
  )
  return { retrying, ended: await taskEnded(h, taskId, 30_000) }
}

const failuresOf = (taskId: string) => lines.filter(line => line.task_id === taskId && /failed/.test(line.msg))

describe('task errors say what went wrong in words; the detail goes to the worker log', () => {
  test('a TypeError in a kernel: "failed unexpectedly" on every attempt, its message and stack in the log', async () => {
    const dataset = (await h.request('POST', '/api/datasets', { json: { name: 'd', rows: [{ k: 'a', v: 1 }] } })).body
      .id
    await workers.tasks.pause()
    const task = (
      await h.request('POST', `/api/datasets/${dataset}/process`, {
        json: { kind: 'groupby', params: { by: ['k'], aggregations: [{ column: 'v', fn: 'sum' }] } },
      })
    ).body
    // params no longer of the shape the kernel was promised: it throws a TypeError of its own
    await h.db.execute(sql`update tasks set params = '{"by": 5, "aggregations": 6}'::jsonb where id = ${task.id}`)
    workers.tasks.resume()
    const { retrying, ended } = await failedTwiceThenForGood(task.id)
    expect(retrying.error).toBe(`attempt 1 failed: ${UNEXPECTED}`)
    expect(ended).toMatchObject({ status: 'failed', attempts: 3, error: UNEXPECTED, result: null })
    const logged = failuresOf(task.id)
    expect(logged).toHaveLength(3)
    for (const line of logged) {
      expect(line).toMatchObject({ level: 'error', msg: 'task job failed unexpectedly', reason: UNEXPECTED })
      expect(line.error).toMatchObject({ name: 'TypeError' })
      expect((line.error as { message: string }).message).toContain('is not a function')
      expect((line.error as { stack: string }).stack).toContain('groupby.ts')
    }
    expect(logged.map(line => line.final)).toEqual([false, false, true])
  })

  test('a PostgreSQL error in a thread: no SQL in the task, the message and SQLSTATE in the log', async () => {
    const dataset = (await h.request('POST', '/api/datasets', { json: { name: 'e', rows: [{ v: 1 }, { v: 2 }] } })).body
      .id
    await h.db.execute(sql`alter table dataset_chunks rename column data to data_moved`)
    try {
      const task = (await h.request('POST', `/api/datasets/${dataset}/process`)).body
      const { retrying, ended } = await failedTwiceThenForGood(task.id)
      expect(retrying.error).toBe(`attempt 1 failed: ${UNEXPECTED}`)
      expect(ended).toMatchObject({ status: 'failed', attempts: 3, error: UNEXPECTED })
      const logged = failuresOf(task.id)
      expect(logged.length).toBe(3)
      for (const line of logged) {
        expect(line.error).toMatchObject({ sqlstate: '42703', message: 'column "data" does not exist' })
      }
    } finally {
      await h.db.execute(sql`alter table dataset_chunks rename column data_moved to data`)
    }
  })

  test('our own reasons stay as they are, logged as a warning without detail', async () => {
    const dataset = (await h.request('POST', '/api/datasets', { json: { name: 'f', rows: [{ v: 1 }] } })).body.id
    const [version] = await h.db.execute<{ version: number }>(sql`select version from datasets where id = ${dataset}`)
    await workers.tasks.pause()
    const task = (await h.request('POST', `/api/datasets/${dataset}/process`)).body
    await h.db.execute(
      sql`delete from dataset_versions where dataset_id = ${dataset} and version = ${version!.version}`,
    )
    workers.tasks.resume()
    const reason = 'the data this task was started on no longer exists'
    expect(await taskEnded(h, task.id)).toMatchObject({ status: 'failed', attempts: 1, error: reason })
    expect(failuresOf(task.id)).toEqual([
      { level: 'warn', msg: 'task job failed', task_id: task.id, attempts: 1, final: true, reason },
    ])
  })
})
