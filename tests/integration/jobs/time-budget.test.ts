import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { createHarness, type Harness, waitFor } from '../../support/harness'
import { seedSynthetic } from '../../support/seed'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(30_000)

// A Spearman correlation of 8 columns over 1 M rows takes more than a second: far past 200 ms.
const BUDGET = { TASK_TIMEOUT_MS: '200' }
const SPEARMAN = {
  kind: 'correlation',
  params: { columns: ['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8'], method: 'spearman' },
}

async function settle(h: Harness, datasetId: string, body: unknown) {
  const { id } = (await h.request('POST', `/api/datasets/${datasetId}/process`, { json: body })).body
  return waitFor(
    async () => {
      const t = (await h.request('GET', `/api/tasks/${id}`)).body
      return ['completed', 'failed'].includes(t.status) ? t : null
    },
    20_000,
    `task ${id} to finish`,
  )
}

const expectTimedOut = (task: unknown) =>
  expect(task).toMatchObject({
    status: 'failed',
    error: 'the analysis took longer than its time budget of 0.2 s',
    attempts: 1,
    result: null,
  })

describe('an analysis past TASK_TIMEOUT_MS fails at once, without retries', () => {
  let h: Harness
  let big: string
  beforeAll(async () => {
    h = await createHarness(BUDGET)
    big = await seedSynthetic(h.config.databaseUrl, 1_000_000, 16_384)
    await h.startWorker()
  })
  afterAll(() => h.close())

  test('in one thread; a small analysis on the same worker still completes', async () => {
    const small = await h.request('POST', '/api/datasets', { json: { name: 's', rows: [{ x: 1 }, { x: 3 }] } })
    expect(await settle(h, small.body.id, { kind: 'profile' })).toMatchObject({ status: 'completed', attempts: 1 })
    expectTimedOut(await settle(h, big, SPEARMAN))
  })
})

describe('an analysis split into parts stops in every part', () => {
  let h: Harness
  let big: string
  beforeAll(async () => {
    h = await createHarness({ ...BUDGET, SPLIT_MIN_ROWS: '100000', SPLIT_PARTS: '2' })
    big = await seedSynthetic(h.config.databaseUrl, 1_000_000, 16_384)
    await h.startWorker()
  })
  afterAll(() => h.close())

  test('the task fails with the same reason', async () => {
    expectTimedOut(await settle(h, big, SPEARMAN))
  })
})
