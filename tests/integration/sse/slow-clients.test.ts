import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { randomUUID } from 'node:crypto'
import { connect, type Socket } from 'node:net'
import { Redis } from 'ioredis'
import { eventsChannel, type StatusEvent } from '../../../jobs/events/task-events'
import { ADMIN_KEY, bearer, createHarness, waitFor } from '../../support/harness'
import { sampleGrowth } from '../../support/memory-sampler'
import { type Child, startApi } from '../../support/processes'
import { createTestDatabase, createTestPrefix, REDIS_URL, type TestDatabase } from '../../support/services'
import { SseReader } from '../../support/sse-client'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(120_000)

const STREAMS = 100
const EVENTS = 10_000
const MB = 1024 * 1024

let database: TestDatabase
const prefix = createTestPrefix()
let api: Child & { url: string }
const sockets: Socket[] = []

beforeAll(async () => {
  database = await createTestDatabase()
  api = await startApi({ DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: prefix.prefix })
})
afterAll(async () => {
  for (const socket of sockets) socket.destroy()
  await api.stop('SIGKILL')
  await database.drop()
  await prefix.clear()
})

type RawStream = { socket: Socket; received: () => string; completed: () => number; closed: Promise<void> }

const COMPLETED = '\nevent: completed\n'

/** A raw client of GET /api/events; `read: false` stops reading once the answer has begun, and never reads again. */
function openStream(read: boolean): Promise<RawStream> {
  const { port } = new URL(api.url)
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: Number(port) })
    sockets.push(socket)
    let tail = ''
    let completed = 0
    const closed = new Promise<void>(done => socket.once('close', () => done()))
    socket.on('error', () => {})
    socket.once('connect', () =>
      socket.write(`GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${ADMIN_KEY}\r\n\r\n`),
    )
    socket.once('data', first => {
      if (!first.toString('latin1').startsWith('HTTP/1.1 200')) reject(new Error(first.toString('latin1')))
      if (!read) socket.pause()
      resolve({ socket, received: () => tail, completed: () => completed, closed })
    })
    // a reading client counts the final events it got and keeps only the end of the text
    if (read)
      socket.on('data', piece => {
        const text = tail.slice(-COMPLETED.length) + piece.toString('latin1')
        for (let at = text.indexOf(COMPLETED); at >= 0; at = text.indexOf(COMPLETED, at + 1)) completed++
        tail = text.slice(-16_384)
      })
  })
}

/** A completed task as a worker announces it: about 1 KB, with a result small enough to travel along. */
function completedEvent(i: number): StatusEvent {
  const id = randomUUID()
  const datasetId = randomUUID()
  const time = new Date().toISOString()
  return {
    type: 'status',
    task_id: id,
    dataset_id: datasetId,
    status: 'completed',
    attempts: 1,
    task: {
      id,
      dataset_id: datasetId,
      kind: 'histogram',
      params: { column: 'height', bins: 20 },
      status: 'completed',
      progress: 100,
      stage: 'done',
      result: {
        column: 'height',
        edges: Array.from({ length: 21 }, (_, b) => i + b * 0.123456789),
        counts: Array.from({ length: 20 }, (_, b) => 1000 + b),
      },
      error: null,
      attempts: 1,
      created_at: time,
      started_at: time,
      finished_at: time,
    },
  }
}

const closedForSlowness = () =>
  api
    .output()
    .split('\n')
    .filter(line => line.includes('event stream closed: its client left too much unread')).length

/** Publishes events as workers do, as fast as Redis takes them; answers the id of the last task. */
async function publishEvents(publisher: Redis, count: number): Promise<string> {
  let last = ''
  for (let sent = 0; sent < count; ) {
    const batch = publisher.pipeline()
    for (const end = Math.min(count, sent + 250); sent < end; sent++) {
      const event = completedEvent(sent)
      last = event.task_id
      batch.publish(eventsChannel(prefix.prefix), JSON.stringify(event))
    }
    await batch.exec()
  }
  return last
}

test(`${STREAMS} streams whose clients never read, watching ${EVENTS} events, are closed and cost the api under 64 MB; a client that reads gets every event`, async () => {
  const publisher = new Redis(REDIS_URL)
  const reader = await openStream(true)
  // The same burst once without stalled clients first: the baseline then holds what receiving
  // and parsing a burst of events costs (garbage the collector has not returned yet).
  const warmUp = await publishEvents(publisher, EVENTS)
  await waitFor(async () => reader.received().includes(warmUp), 60_000, 'the reading client to get the warm-up')
  const stalled = await Promise.all(Array.from({ length: STREAMS }, () => openStream(false)))
  const memory = sampleGrowth(api.proc.pid)
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
  expect(reader.completed()).toBe(2 * EVENTS)
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
