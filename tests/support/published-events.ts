import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import { eventsChannel, type StatusEvent } from '../../jobs/events/task-events'

/** A completed task as a worker announces it: about 1 KB, with a result small enough to travel along. */
export function completedEvent(i: number): StatusEvent {
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

/**
 * Publishes `count` completed-task events on a queue prefix's event channel, as workers do, as
 * fast as Redis takes them (pipelines of 250); answers the id of the last task, which a client
 * that got everything has seen.
 */
export async function publishCompletedEvents(publisher: Redis, prefix: string, count: number): Promise<string> {
  let last = ''
  for (let sent = 0; sent < count; ) {
    const batch = publisher.pipeline()
    for (const end = Math.min(count, sent + 250); sent < end; sent++) {
      const event = completedEvent(sent)
      last = event.task_id
      batch.publish(eventsChannel(prefix), JSON.stringify(event))
    }
    await batch.exec()
  }
  return last
}

/** Log lines of an api process that say a stream was closed because its client read too slowly. */
export const streamsClosedForSlowness = (output: string) =>
  output.split('\n').filter(line => line.includes('event stream closed: its client left too much unread')).length
