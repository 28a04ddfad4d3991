import { Redis } from 'ioredis'
import { ADMIN_KEY, waitFor } from '../../../support/harness'
import { publishCompletedEvents, streamsClosedForSlowness } from '../../../support/published-events'
import { openEventStream, type RawEventStream } from '../../../support/raw-http'
import { REDIS_URL } from '../../../support/services'
import { fmt } from '../services'
import type { Answer, HostileCase, HostileContext } from './case'

const STREAMS = 100
const EVENTS = 10_000

/**
 * STREAMS streams of /api/events, reading or not, while EVENTS events flow, and one more client
 * that reads everything: the api's cost, and whether the streams that read too slowly were closed.
 */
async function manyStreams(context: HostileContext, read: boolean): Promise<Answer> {
  const publisher = new Redis(REDIS_URL)
  const opened: RawEventStream[] = []
  const open = async (reads: boolean) => {
    const stream = await openEventStream(context.port, '/api/events', ADMIN_KEY, reads)
    opened.push(stream)
    return stream
  }
  try {
    const reader = await open(true)
    // One burst first with nobody stalled, so that what receiving a burst costs is in the baseline.
    const warmUp = await publishCompletedEvents(publisher, context.queuePrefix, EVENTS)
    await waitFor(async () => reader.received().includes(warmUp), 60_000, 'the reader to get the warm-up')
    const watchers = await Promise.all(Array.from({ length: STREAMS }, () => open(read)))
    return await context.measure(async () => {
      const last = await publishCompletedEvents(publisher, context.queuePrefix, EVENTS)
      await waitFor(async () => reader.received().includes(last), 60_000, 'the reader to get the last event')
      const closed = () => streamsClosedForSlowness(context.api.output())
      if (read)
        await waitFor(async () => watchers.every(w => w.count('completed') >= EVENTS), 60_000, 'every reader').catch(
          () => {},
        )
      else await waitFor(async () => closed() === STREAMS, 30_000, 'the stalled streams to close').catch(() => {})
      const kept = watchers.filter(stream => !stream.socket.destroyed && stream.count('completed') >= EVENTS)
      return {
        answer: read ? `${kept.length} of ${STREAMS} got every event` : `${closed()} of ${STREAMS} closed`,
        note: `the extra reading client got ${fmt(reader.count('completed') - EVENTS, 0)} of ${fmt(EVENTS, 0)} events`,
      }
    })
  } finally {
    for (const stream of opened) stream.socket.destroy()
    publisher.disconnect()
  }
}

/** Item 5: event streams whose clients stop reading. */
export const STREAM_CASES: HostileCase[] = [
  {
    name: `/api/events: ${STREAMS} streams that never read (admin key: it hears every event) while ${fmt(EVENTS, 0)} completed events of ~1 kB flow as fast as Redis takes them; SSE_MAX_UNSENT_BYTES is 256 KiB`,
    run: context => manyStreams(context, false),
  },
  {
    name: `the same ${fmt(EVENTS, 0)} events to ${STREAMS} streams that read (what the fan-out itself costs)`,
    run: context => manyStreams(context, true),
  },
]
