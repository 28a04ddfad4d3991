import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { type Subprocess, spawn } from 'bun'
import mixed from '../../fixtures/mixed.json'
import { expectClose } from '../../support/expect-close'
import { createHarness, type Harness, waitFor } from '../../support/harness'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(30_000)

const ANALYSES = [
  { kind: 'profile' },
  { kind: 'correlation', params: { columns: ['x', 'big', 'n', 'const'] } },
  { kind: 'correlation', params: { columns: ['x', 'big', 'n'], method: 'spearman' } },
  { kind: 'histogram', params: { column: 'x' } },
  {
    kind: 'groupby',
    params: {
      by: ['cat'],
      aggregations: [
        { column: 'x', fn: 'median' },
        { column: 'x', fn: 'std' },
      ],
    },
  },
  { kind: 'outliers', params: { column: 'big', method: 'iqr', threshold: 0.5 } },
]

// 240 rows in chunks of 30: eight chunks, split into four parts once past 100 rows
const SPLIT = { CHUNK_ROWS: '30', SPLIT_MIN_ROWS: '100', SPLIT_PARTS: '4' }

async function run(h: Harness, datasetId: string, body: unknown) {
  const { id } = (await h.request('POST', `/api/datasets/${datasetId}/process`, { json: body })).body
  const seen: number[] = []
  const task = await waitFor(
    async () => {
      const t = (await h.request('GET', `/api/tasks/${id}`)).body
      seen.push(t.progress)
      return ['completed', 'failed'].includes(t.status) ? t : null
    },
    30_000,
    `task ${id}`,
  )
  return { task, seen }
}

let unsplit: Harness
let unsplitId: string
const expected: unknown[] = []

beforeAll(async () => {
  unsplit = await createHarness({ CHUNK_ROWS: '30', SPLIT_MIN_ROWS: '1000000' })
  await unsplit.startWorker()
  unsplitId = (await unsplit.request('POST', '/api/datasets', { json: { name: 'mixed', rows: mixed.rows } })).body.id
  for (const body of ANALYSES) expected.push((await run(unsplit, unsplitId, body)).task.result)
})
afterAll(() => unsplit.close())

describe('a split analysis (BullMQ flow: a child job per part, merged by the parent)', () => {
  test('gives bit for bit the unsplit result for every kind, across 4 threads of one worker', async () => {
    const h = await createHarness(SPLIT)
    try {
      await h.startWorker(4)
      const { id } = (await h.request('POST', '/api/datasets', { json: { name: 'mixed', rows: mixed.rows } })).body
      for (const [i, body] of ANALYSES.entries()) {
        const { task, seen } = await run(h, id, body)
        expect(task).toMatchObject({ status: 'completed', progress: 100, attempts: 1 })
        expect(task.result).toEqual(expected[i])
        expect(seen).toEqual([...seen].sort((a, b) => a - b))
      }
      expectClose(expected[0], mixed.profile)
    } finally {
      await h.close()
    }
  })

  test('two worker processes share the parts of one analysis and give the same result', async () => {
    const h = await createHarness(SPLIT)
    const workers: Subprocess<'ignore', 'pipe', 'inherit'>[] = []
    try {
      const env = {
        ...process.env,
        DATABASE_URL: h.config.databaseUrl,
        REDIS_URL: h.config.redisUrl,
        QUEUE_PREFIX: h.config.queuePrefix,
        LOG_LEVEL: 'info',
        ...SPLIT,
      }
      const root = new URL('../../../', import.meta.url).pathname
      for (let i = 0; i < 2; i++)
        workers.push(
          spawn(['bun', 'jobs/worker/main.ts', '--concurrency', '1', '--threads', '1'], {
            cwd: root,
            env,
            stdout: 'pipe',
            stderr: 'inherit',
          }),
        )
      const logs = workers.map(() => '')
      const reading = workers.map(async (worker, i) => {
        for await (const piece of worker.stdout) logs[i] += new TextDecoder().decode(piece)
      })
      await waitFor(async () => logs.every(log => log.includes('"worker started"')), 15_000, 'both workers to start')
      const { id } = (await h.request('POST', '/api/datasets', { json: { name: 'mixed', rows: mixed.rows } })).body
      const { task } = await run(h, id, ANALYSES[0])
      expect(task.status).toBe('completed')
      expect(task.result).toEqual(expected[0])
      for (const worker of workers) worker.kill('SIGTERM')
      await Promise.all(reading)
      const partsRun = logs.map(log => log.split('\n').filter(line => line.includes('"part job finished"')).length)
      // 4 scan parts and 4 owner parts in all, and each process took some of them
      expect(partsRun[0]! + partsRun[1]!).toBe(8)
      expect(partsRun.every(n => n > 0)).toBe(true)
    } finally {
      for (const worker of workers) worker.kill('SIGKILL')
      await h.close()
    }
  })
})
