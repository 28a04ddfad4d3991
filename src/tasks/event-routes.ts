import { Elysia, t } from 'elysia'
import type { TaskEventHub } from '../../jobs/events/event-hub'
import type { TaskEvent } from '../../jobs/events/task-events'
import { authenticated } from '../auth/plugin'
import { type Principal, visibleOwner } from '../auth/principal'
import type { DatasetService } from '../datasets/service'
import { tooMany } from '../http/problem'
import { IdParams, problems } from '../http/schemas'
import { type SseOptions, type SseStreams, sseResponse } from '../http/sse'
import type { Logger } from '../logger'
import { streamAllTasks, streamTask } from './event-streams'
import type { TaskService } from './service'

export type EventRoutesOptions = {
  hub: TaskEventHub
  streams: SseStreams
  heartbeatMs: number
  log: Logger
  maxStreamsPerKey: number
  maxUnsentBytes: number
}

const EVENTS =
  'text/event-stream: `snapshot`, then `progress`, `status`, and a final `completed`, `failed` or `cancelled`'

const SLOW_CLIENTS =
  'A task in an event carries its `result` only when that takes at most 64 KiB of JSON; otherwise `"result": null, "result_omitted": true`, and `GET /api/tasks/{id}` has it. A client that leaves too much unread is disconnected (EventSource reconnects).'

type Server = SseOptions['server']

/** A Server-Sent Events answer, for the OpenAPI document (the stream itself is written by hand). */
const EventStream = t.String({ description: 'Server-Sent Events', contentMediaType: 'text/event-stream' })

/** Datasets whose visibility one stream remembers; beyond that it starts remembering afresh. */
const MAX_REMEMBERED = 10_000

export const eventRoutes = (
  tasks: TaskService,
  datasets: DatasetService,
  { hub, streams, heartbeatMs, log, maxStreamsPerKey, maxUnsentBytes }: EventRoutesOptions,
) => {
  // Streams are authorised when they open; a final event then reads the task as it is.
  const load = (id: string) => tasks.forEvents(id)

  /** A key may hold only so many streams open at once (administrators are not limited). */
  const openStream = (
    principal: Principal,
    request: Request,
    server: Server,
    produce: Parameters<typeof sseResponse>[0],
  ) => {
    if (!principal.admin && streams.countFor(principal.id) >= maxStreamsPerKey)
      throw tooMany('TOO_MANY_STREAMS', `This key already has ${maxStreamsPerKey} event streams open; close one first`)
    // the heartbeat keeps the connection busy; Bun's idle timeout would otherwise apply
    server?.timeout(request, 0)
    const holder = { owner: principal.id, sessionId: principal.sessionId }
    return sseResponse(produce, { streams, request, heartbeatMs, log, holder, maxUnsentBytes, server })
  }

  /** Which events a stream of every task may carry: those of the datasets its caller may see. */
  const visibleTo = (principal: Principal, datasetId: string | undefined): ((event: TaskEvent) => Promise<boolean>) => {
    if (datasetId !== undefined) return async event => event.dataset_id === datasetId
    if (visibleOwner(principal) === null) return async () => true
    const remembered = new Map<string, boolean>()
    return async event => {
      let visible = remembered.get(event.dataset_id)
      if (visible === undefined) {
        visible = await datasets.isVisible(event.dataset_id, principal)
        if (remembered.size >= MAX_REMEMBERED) remembered.clear()
        remembered.set(event.dataset_id, visible)
      }
      return visible
    }
  }

  return new Elysia({ name: 'event-routes' })
    .use(authenticated())
    .get(
      '/api/tasks/:id/events',
      async ({ params, request, server, principal }) => {
        const task = await tasks.get(params.id, principal)
        return openStream(principal, request, server, (send, signal) => streamTask(hub, load, task.id, send, signal))
      },
      {
        params: IdParams,
        response: { 200: EventStream, ...problems(401, 404, 429) },
        detail: {
          summary: "Follow one task's progress live",
          description: `${EVENTS}, which ends the stream. Every event has an \`id\`; a \`: ping\` comment comes after 5 s of silence. A reconnect (with or without \`Last-Event-ID\`) starts again with a fresh snapshot. ${SLOW_CLIENTS}`,
          tags: ['events'],
        },
      },
    )
    .get(
      '/api/events',
      async ({ query, request, server, principal }) => {
        if (query.dataset_id !== undefined) await datasets.get(query.dataset_id, principal)
        const visible = visibleTo(principal, query.dataset_id)
        return openStream(principal, request, server, (send, signal) =>
          streamAllTasks(hub, load, visible, send, signal),
        )
      },
      {
        query: t.Object({ dataset_id: t.Optional(t.String({ format: 'uuid' })) }),
        response: { 200: EventStream, ...problems(401, 404, 422, 429) },
        detail: {
          summary: 'Follow every task live',
          description: `Live events of every task the caller may see (of one dataset with \`?dataset_id=\`): \`progress\`, \`status\`, and the final task when one ends. No snapshot and no replay: events sent while a client was away (or disconnected for reading too slowly) are not sent again, so read the tasks over REST after a reconnect. Ids increase within a connection. ${SLOW_CLIENTS}`,
          tags: ['events'],
        },
      },
    )
}
