import { Elysia, t } from 'elysia'
import type { TaskEventHub } from '../../jobs/event-hub'
import { IdParams, problems } from '../http/schemas'
import { type SseStreams, sseResponse } from '../http/sse'
import type { Logger } from '../logger'
import { streamAllTasks, streamTask } from './event-streams'
import type { TaskService } from './service'

export type EventRoutesOptions = { hub: TaskEventHub; streams: SseStreams; heartbeatMs: number; log: Logger }

const EVENTS =
  'text/event-stream: `snapshot`, then `progress`, `status`, and a final `completed`, `failed` or `cancelled`'

/** A Server-Sent Events answer, for the OpenAPI document (the stream itself is written by hand). */
const EventStream = t.String({ description: 'Server-Sent Events', contentMediaType: 'text/event-stream' })

export const eventRoutes = (tasks: TaskService, { hub, streams, heartbeatMs, log }: EventRoutesOptions) => {
  const load = (id: string) => tasks.queries.find(id)
  return new Elysia({ name: 'event-routes' })
    .get(
      '/api/tasks/:id/events',
      async ({ params, request, server }) => {
        const task = await tasks.get(params.id)
        // the heartbeat keeps the connection busy; Bun's idle timeout would otherwise apply
        server?.timeout(request, 0)
        return sseResponse((send, signal) => streamTask(hub, load, task.id, send, signal), {
          streams,
          request,
          heartbeatMs,
          log,
        })
      },
      {
        params: IdParams,
        response: { 200: EventStream, ...problems(404) },
        detail: {
          summary: "Follow one task's progress live",
          description: `${EVENTS}, which ends the stream. Every event has an \`id\`; a \`: ping\` comment comes after 5 s of silence. A reconnect (with or without \`Last-Event-ID\`) starts again with a fresh snapshot.`,
          tags: ['events'],
        },
      },
    )
    .get(
      '/api/events',
      ({ query, request, server }) => {
        server?.timeout(request, 0)
        const visible = (event: { dataset_id: string }) => !query.dataset_id || event.dataset_id === query.dataset_id
        return sseResponse((send, signal) => streamAllTasks(hub, load, visible, send, signal), {
          streams,
          request,
          heartbeatMs,
          log,
        })
      },
      {
        query: t.Object({ dataset_id: t.Optional(t.String({ format: 'uuid' })) }),
        response: { 200: EventStream, ...problems(422) },
        detail: {
          summary: 'Follow every task live',
          description:
            'Live events of every task (of one dataset with `?dataset_id=`): `progress`, `status`, and the final task when one ends. No snapshot; ids increase within a connection.',
          tags: ['events'],
        },
      },
    )
}
