import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { datasetWithRows } from '../../support/datasets'
import { createHarness, type Harness } from '../../support/harness'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(30_000)

const CAP = 5
const SUBMITS = 30

let h: Harness
beforeAll(async () => {
  // no worker runs here, so every task stays pending
  h = await createHarness({ MAX_PENDING_TASKS_PER_KEY: String(CAP) })
})
afterAll(() => h.close())

/** A key of its own with a dataset; answers both and the statuses of SUBMITS submits made at once. */
async function submitAtOnce(name: string, headers: (i: number) => Record<string, string>) {
  const key = await h.newKey(name)
  const dataset = await datasetWithRows(h, [{ x: 1 }], { key, name })
  const answers = await Promise.all(
    Array.from({ length: SUBMITS }, (_, i) =>
      h.request('POST', `/api/datasets/${dataset}/process`, { key, json: {}, headers: headers(i) }),
    ),
  )
  return { key, dataset, answers }
}

async function expectCapHeld({ key, dataset, answers }: Awaited<ReturnType<typeof submitAtOnce>>) {
  const created = answers.filter(a => a.status === 202)
  const refused = answers.filter(a => a.status === 429)
  expect(created).toHaveLength(CAP)
  expect(refused).toHaveLength(SUBMITS - CAP)
  for (const answer of refused) expect(answer.body.code).toBe('TOO_MANY_TASKS')
  const listed = (await h.request('GET', `/api/tasks?dataset_id=${dataset}`, { key })).body.data
  expect(listed.map((t: { id: string }) => t.id).sort()).toEqual(created.map(a => a.body.id).sort())
  // a job for each task made, and none for a refused one
  const jobs = await h.queue.getJobs(['waiting', 'delayed', 'prioritized', 'active'])
  const ids = new Set(created.map(a => a.body.id))
  expect(jobs.filter(job => ids.has(job.id!))).toHaveLength(CAP)
  return jobs.length
}

describe('MAX_PENDING_TASKS_PER_KEY under concurrency', () => {
  let jobsBefore = 0

  test(`${SUBMITS} submits at once with a cap of ${CAP}: exactly ${CAP} tasks, the others 429, no job for them`, async () => {
    jobsBefore = await expectCapHeld(await submitAtOnce('racer', () => ({})))
    expect(jobsBefore).toBe(CAP)
  })

  test('the same with an Idempotency-Key on each submit', async () => {
    const jobs = await expectCapHeld(await submitAtOnce('keyed', i => ({ 'idempotency-key': `submit-${i}` })))
    expect(jobs).toBe(jobsBefore + CAP)
  })

  test('the cap is per key: another key submits while the first is full', async () => {
    const { answers } = await submitAtOnce('neighbour', () => ({}))
    expect(answers.filter(a => a.status === 202)).toHaveLength(CAP)
  })
})
