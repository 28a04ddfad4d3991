import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { Redis } from 'ioredis'
import { createPartsQueue } from '../../../jobs/queue/queues'
import { createHarness, type Harness, taskEnded } from '../../support/harness'
import { seedSynthetic } from '../../support/seed'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(30_000)

// A Spearman correlation of 8 columns over 1 M rows takes more than a second, far past these budgets.
const SPEARMAN = {
  kind: 'correlation',
  params: { columns: ['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8'], method: 'spearman' },
}

async function settle(h: Harness, datasetId: string, body: unknown) {
  const { id } = (await h.request('POST', `/api/datasets/${datasetId}/process`, { json: body })).body
  return taskEnded(h, id)
}

const timedOut = (seconds: number) => ({
  status: 'failed',
  error: `the analysis took longer than its time budget of ${seconds} s`,
  attempts: 1,
  result: null,
})

describe('an analysis past TASK_TIMEOUT_MS fails at once, without retries', () => {
  let h: Harness
  let big: string
  beforeAll(async () => {
    h = await createHarness({ TASK_TIMEOUT_MS: '500' })
    big = await seedSynthetic(h.config.databaseUrl, 1_000_000, 16_384)
    await h.startWorker()
  })
  afterAll(() => h.close())

  test('in one thread; a small analysis on the same worker still completes', async () => {
    const small = await h.request('POST', '/api/datasets', { json: { name: 's', rows: [{ x: 1 }, { x: 3 }] } })
    expect(await settle(h, small.body.id, { kind: 'profile' })).toMatchObject({ status: 'completed', attempts: 1 })
    expect(await settle(h, big, SPEARMAN)).toMatchObject(timedOut(0.5))
  })
})

describe('an analysis split into parts stops in its parts', () => {
  let h: Harness
  let big: string
  beforeAll(async () => {
    h = await createHarness({ TASK_TIMEOUT_MS: '200', SPLIT_MIN_ROWS: '100000', SPLIT_PARTS: '2' })
    big = await seedSynthetic(h.config.databaseUrl, 1_000_000, 16_384)
    await h.startWorker()
  })
  afterAll(() => h.close())

  test('a part runs out of time, and the task fails with its reason', async () => {
    expect(await settle(h, big, SPEARMAN)).toMatchObject(timedOut(0.2))
    const connection = new Redis(h.config.redisUrl)
    const parts = createPartsQueue(connection, h.config.queuePrefix)
    const failed = await parts.getFailed()
    expect(failed.map(part => part.failedReason)).toContain(timedOut(0.2).error)
    await parts.close()
    connection.disconnect()
  })
})
