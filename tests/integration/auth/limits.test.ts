import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { createRedis } from '../../../jobs/queue/redis'
import { createApp } from '../../../src/app'
import { createLogger } from '../../../src/logger'
import { datasetWithRows } from '../../support/datasets'
import { createHarness, type Harness } from '../../support/harness'
import { SseReader } from '../../support/sse-client'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(30_000)

let h: Harness
beforeAll(async () => {
  h = await createHarness({
    RATE_LIMIT_PER_SECOND: '2',
    RATE_LIMIT_BURST: '5',
    MAX_STREAMS_PER_KEY: '2',
    MAX_PENDING_TASKS_PER_KEY: '2',
  })
})
afterAll(() => h.close())

describe('rate limit per key, kept in Redis', () => {
  test('past the burst a key gets 429 with Retry-After, other keys are unaffected, and it holds across api processes', async () => {
    const busy = await h.newKey('busy')
    const calm = await h.newKey('calm')
    // a second api process: an app and authenticator of its own, the same Redis
    const redis = createRedis(h.config.redisUrl, 'api')
    const { db, queue, events, streams, config } = h
    const other = createApp({ config, db, redis, queue, events, streams, log: createLogger('silent') })
    const statuses: number[] = []
    for (let i = 0; i < 8; i++) {
      const app = i % 2 === 0 ? h.app : other
      statuses.push(
        (
          await app.handle(
            new Request('http://localhost/api/datasets', { headers: { authorization: `Bearer ${busy}` } }),
          )
        ).status,
      )
    }
    expect(statuses.filter(s => s === 200)).toHaveLength(5)
    const limited = await h.request('GET', '/api/datasets', { key: busy })
    expect(limited.status).toBe(429)
    expect(limited.headers.get('content-type')).toBe('application/problem+json')
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(limited.body).toMatchObject({ status: 429, code: 'RATE_LIMITED' })
    expect((await h.request('GET', '/api/datasets', { key: calm })).status).toBe(200)
    await Bun.sleep(600)
    expect((await h.request('GET', '/api/datasets', { key: busy })).status).toBe(200)
    redis.disconnect()
  })

  test('guessing keys is slowed down too: failed attempts from one address end in 429', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 8; i++)
      statuses.push((await h.request('GET', '/api/datasets', { key: `dd_guess_${i}` })).status)
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401])
    expect(statuses.at(-1)).toBe(429)
  })
})

describe('quotas of a non-admin key', () => {
  test('at most MAX_STREAMS_PER_KEY event streams at once; closing one frees its place', async () => {
    const key = await h.newKey('watcher')
    const open = () =>
      h.app.handle(new Request('http://localhost/api/events', { headers: { authorization: `Bearer ${key}` } }))
    const first = new SseReader(await open())
    const second = new SseReader(await open())
    await first.next(f => f.retry !== undefined)
    await second.next(f => f.retry !== undefined)
    const third = await open()
    expect(third.status).toBe(429)
    expect(third.headers.get('retry-after')).toBe('5')
    expect(((await third.json()) as { code: string }).code).toBe('TOO_MANY_STREAMS')
    await first.cancel()
    await Bun.sleep(50)
    const again = await open()
    expect(again.status).toBe(200)
    await again.body?.cancel()
    await second.cancel()
  })

  test('at most MAX_PENDING_TASKS_PER_KEY tasks waiting or running; no job is queued for a refused one', async () => {
    const key = await h.newKey('submitter')
    const dataset = await datasetWithRows(h, [{ x: 1 }], { key })
    // no worker runs here, so tasks stay pending
    for (let i = 0; i < 2; i++)
      expect((await h.request('POST', `/api/datasets/${dataset}/process`, { key, json: {} })).status).toBe(202)
    const jobsBefore = await h.queue.getJobCounts()
    const refused = await h.request('POST', `/api/datasets/${dataset}/process`, { key, json: {} })
    expect(refused.status).toBe(429)
    expect(refused.body.code).toBe('TOO_MANY_TASKS')
    expect(refused.headers.get('retry-after')).toBe('5')
    expect(await h.queue.getJobCounts()).toEqual(jobsBefore)
    expect((await h.request('GET', `/api/tasks?dataset_id=${dataset}`, { key })).body.data).toHaveLength(2)
  })

  test('lists are capped at 500 per page', async () => {
    const key = await h.newKey('lister')
    const res = await h.request('GET', '/api/datasets?limit=501', { key })
    expect(res.status).toBe(422)
    expect(res.body.errors).toEqual([{ path: 'query.limit', message: 'must be an integer from 1 to 500' }])
  })
})
