import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { sql } from 'drizzle-orm'
import { taskEventPublisher } from '../../../jobs/events/task-events'
import { createRedis } from '../../../jobs/queue/redis'
import type { AnalysisWorkers } from '../../../jobs/worker/analysis-workers'
import { reapOrphans } from '../../../jobs/worker/reaper'
import { createLogger } from '../../../src/logger'
import { REAPER_LOCK } from '../../../src/tasks/lifecycle'
import { createHarness, type Harness, waitFor } from '../../support/harness'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(30_000)

let h: Harness
let workers: AnalysisWorkers
let datasetId: string
let publisher: ReturnType<typeof createRedis>
let reap: () => Promise<number>

beforeAll(async () => {
  h = await createHarness()
  workers = await h.startWorker(1)
  publisher = createRedis(h.config.redisUrl, 'blocking')
  const events = taskEventPublisher(publisher, h.config.queuePrefix)
  reap = () => reapOrphans({ db: h.db, queue: h.queue, events, log: createLogger('silent'), graceMs: 60_000 })
  const rows = Array.from({ length: 10 }, (_, i) => ({ x: i }))
  datasetId = (await h.request('POST', '/api/datasets', { json: { name: 'reaped', rows } })).body.id
})
afterAll(async () => {
  publisher.disconnect()
  await h.close()
})

const task = async (id: string) => (await h.request('GET', `/api/tasks/${id}`)).body
const finished = (id: string) =>
  waitFor(async () => {
    const t = await task(id)
    return ['completed', 'failed', 'cancelled'].includes(t.status) ? t : null
  })

/** Makes a task look as a crash leaves it: unfinished in PostgreSQL, quiet for ten minutes. */
const orphan = (id: string, status: 'pending' | 'running', attempts: number) =>
  h.db.execute(sql`
    update tasks set status = ${status}, attempts = ${attempts}, progress = 0, stage = null, result = null,
                     finished_at = null, updated_at = now() - interval '10 minutes'
    where id = ${id}`)

describe('the orphan reaper', () => {
  test('a running task whose job is gone (its completion lost with PostgreSQL) runs again and completes', async () => {
    const done = await finished((await h.request('POST', `/api/datasets/${datasetId}/process`)).body.id)
    expect(done).toMatchObject({ status: 'completed', attempts: 1 })
    // the row is committed a moment before BullMQ removes the completed job
    await waitFor(async () => (await h.queue.getJob(done.id)) === undefined, 5000, 'the job to go')
    await orphan(done.id, 'running', 1)
    expect(await reap()).toBe(1)
    const again = await finished(done.id)
    expect(again).toMatchObject({ status: 'completed', attempts: 2, result: done.result })
  })

  test('a pending task whose job was never queued is queued and completes', async () => {
    await workers.tasks.pause()
    const submitted = (await h.request('POST', `/api/datasets/${datasetId}/process`)).body
    await h.queue.remove(submitted.id)
    await orphan(submitted.id, 'pending', 0)
    expect(await reap()).toBe(1)
    workers.tasks.resume()
    expect(await finished(submitted.id)).toMatchObject({ status: 'completed', attempts: 1 })
  })

  test('a task whose job failed for good, its failure not recorded, ends failed with the reason', async () => {
    const { id: corrupt } = (
      await h.request('POST', '/api/datasets', { json: { name: 'corrupt', rows: [{ a: 1 }, { a: 2 }] } })
    ).body
    await h.db.execute(sql`update dataset_chunks set data = '\\x00010203'::bytea where dataset_id = ${corrupt}`)
    const failed = await finished((await h.request('POST', `/api/datasets/${corrupt}/process`)).body.id)
    expect(failed.status).toBe('failed')
    await orphan(failed.id, 'running', 3)
    expect(await h.queue.getJobState(failed.id)).toBe('failed')
    expect(await reap()).toBe(1)
    expect(await task(failed.id)).toMatchObject({ status: 'failed', error: failed.error })
  })

  test('one worker sweeps at a time: while another holds the lock, a sweep does nothing', async () => {
    const done = await finished((await h.request('POST', `/api/datasets/${datasetId}/process`)).body.id)
    await waitFor(async () => (await h.queue.getJob(done.id)) === undefined, 5000, 'the job to go')
    await orphan(done.id, 'running', 1)
    await h.db.transaction(async tx => {
      await tx.execute(sql`select pg_advisory_xact_lock(${REAPER_LOCK}, hashtext(${h.config.queuePrefix}))`)
      expect(await reap()).toBe(0)
    })
    expect((await task(done.id)).status).toBe('running')
    expect(await reap()).toBe(1)
    expect(await finished(done.id)).toMatchObject({ status: 'completed', attempts: 2 })
  })

  test('work in progress is left alone: a task updated within the grace period, or one whose job is queued', async () => {
    await workers.tasks.pause()
    const queued = (await h.request('POST', `/api/datasets/${datasetId}/process`)).body
    await orphan(queued.id, 'pending', 0)
    const recent = (await h.request('POST', `/api/datasets/${datasetId}/process`)).body
    await h.queue.remove(recent.id)
    expect(await reap()).toBe(0)
    expect((await task(queued.id)).status).toBe('pending')
    expect((await task(recent.id)).status).toBe('pending')
    await h.db.execute(sql`delete from tasks where id = ${recent.id}`)
    workers.tasks.resume()
    expect((await finished(queued.id)).status).toBe('completed')
  })
})

test('a worker sweeps by itself, every REAPER_INTERVAL_MS', async () => {
  const own = await createHarness({ REAPER_INTERVAL_MS: '200', REAPER_GRACE_MS: '60000' })
  try {
    await own.startWorker(1)
    const { id } = (await own.request('POST', '/api/datasets', { json: { name: 'swept', rows: [{ x: 1 }] } })).body
    const submitted = (await own.request('POST', `/api/datasets/${id}/process`)).body
    const done = await waitFor(async () => {
      const t = (await own.request('GET', `/api/tasks/${submitted.id}`)).body
      return t.status === 'completed' ? t : null
    })
    await own.db.execute(sql`
      update tasks set status = 'running', result = null, updated_at = now() - interval '10 minutes'
      where id = ${done.id}`)
    const again = await waitFor(async () => {
      const t = (await own.request('GET', `/api/tasks/${done.id}`)).body
      return t.status === 'completed' ? t : null
    })
    expect(again).toMatchObject({ attempts: 2, result: done.result })
  } finally {
    await own.close()
  }
})
