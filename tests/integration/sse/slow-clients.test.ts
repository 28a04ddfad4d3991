import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { Redis } from 'ioredis'
import { eventsChannel } from '../../../jobs/events/task-events'
import { ADMIN_KEY, bearer, createHarness, waitFor } from '../../support/harness'
import { type Child, startApi } from '../../support/processes'
import { publishCompletedEvents, streamsClosedForSlowness } from '../../support/published-events'
import { openEventStream, type RawEventStream } from '../../support/raw-http'
import { MB, watchRss } from '../../support/rss'
import { createTestDatabase, createTestPrefix, REDIS_URL, type TestDatabase } from '../../support/services'
import { SseReader } from '../../support/sse-client'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(120_000)

const STREAMS = 100
const EVENTS = 10_000

let database: TestDatabase
const prefix = createTestPrefix()
let api: Child & { url: string }
const streams: RawEventStream[] = []

beforeAll(async () => {
  database = await createTestDatabase()
  api = await startApi({ DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: prefix.prefix })
})
afterAll(async () => {
  for (const stream of streams) stream.socket.destroy()
  await api.stop('SIGKILL')
  await database.drop()
  await prefix.clear()
})

const port = () => Number(new URL(api.url).port)
const openStream = async (read: boolean) => {
  const stream = await openEventStream(port(), '/api/events', ADMIN_KEY, read)
  streams.push(stream)
  return stream
}
const publishEvents = (publisher: Redis, count: number) => publishCompletedEvents(publisher, prefix.prefix, count)
const closedForSlowness = () => streamsClosedForSlowness(api.output())

test(`${STREAMS} streams whose clients never read, watching ${EVENTS} events, are closed and cost the api under 64 MB; a client that reads gets every event`, async () => {
  const publisher = new Redis(REDIS_URL)
  const reader = await openStream(true)
  // The same burst once without stalled clients first: the baseline then holds what receiving
  // and parsing a burst of events costs (garbage the collector has not returned yet).
  const warmUp = await publishEvents(publisher, EVENTS)
  await waitFor(async () => reader.received().includes(warmUp), 60_000, 'the reading client to get the warm-up')
  const stalled = await Promise.all(Array.from({ length: STREAMS }, () => openStream(false)))
  const memory = watchRss(api.proc.pid)
  try {
    const last = await publishEvents(publisher, EVENTS)
    await waitFor(async () => reader.received().includes(last), 60_000, 'the reading client to get the last event')
    await waitFor(async () => closedForSlowness() === STREAMS || null, 30_000, 'the stalled streams to close').catch(
      () => {},
    )
  } finally {
    publisher.disconnect()
  }
  const { baseline, peak, growth } = memory.stop()
  console.log(
    `api RSS: ${(baseline / MB).toFixed(0)} MB before, peak ${(peak / MB).toFixed(0)} MB, growth ${(growth / MB).toFixed(1)} MB`,
  )
  expect(growth).toBeLessThan(64 * MB)
  expect(closedForSlowness()).toBe(STREAMS)

  // each stalled client, once it reads again, gets what the network held and then the end
  for (const { socket } of stalled) socket.resume()
  await Promise.all(stalled.map(stream => stream.closed))
  // the one that read got every event and is still open, and the api answers at once
  expect(reader.count('completed')).toBe(2 * EVENTS)
  expect(reader.socket.destroyed).toBe(false)
  const started = performance.now()
  expect((await fetch(`${api.url}/health`)).status).toBe(200)
  expect(performance.now() - started).toBeLessThan(1000)
})

describe('a stream whose reader stops, through the app', () => {
  test('ends once SSE_MAX_UNSENT_BYTES wait unread; a task stream then starts again with a snapshot', async () => {
    const h = await createHarness({ SSE_MAX_UNSENT_BYTES: '8192' })
    const publisher = new Redis(REDIS_URL)
    try {
      const dataset = (await h.request('POST', '/api/datasets', { json: { name: 'd', rows: [{ a: 1 }] } })).body.id
      const task = (await h.request('POST', `/api/datasets/${dataset}/process`, { json: {} })).body
      const open = (path: string) => h.app.handle(new Request(`http://localhost${path}`, { headers: bearer() }))
      const all = new SseReader(await open('/api/events'))
      const one = new SseReader(await open(`/api/tasks/${task.id}/events`))
      await all.next(f => f.retry !== undefined)
      await one.next(f => f.event === 'snapshot')
      expect(h.streams.count).toBe(2)
      // progress of the pending task, as a worker would send it; nobody reads meanwhile
      for (let i = 1; i <= 400; i++)
        await publisher.publish(
          eventsChannel(h.config.queuePrefix),
          JSON.stringify({
            type: 'progress',
            task_id: task.id,
            dataset_id: dataset,
            progress: i / 5,
            stage: 'x'.repeat(200),
            rows_processed: i,
          }),
        )
      await waitFor(async () => h.streams.count === 0, 5000, 'both streams to be cut off')
      // what waited unread was dropped, and the streams end
      for (const reader of [all, one]) {
        const frames = await reader.rest()
        expect(frames.filter(f => f.event === 'progress').length).toBeLessThan(400)
        expect(reader.done).toBe(true)
      }
      const again = new SseReader(await open(`/api/tasks/${task.id}/events`))
      expect(await again.next(f => f.event !== undefined)).toMatchObject({ id: '1', event: 'snapshot' })
      await again.cancel()
    } finally {
      publisher.disconnect()
      await h.close()
    }
  })
})
