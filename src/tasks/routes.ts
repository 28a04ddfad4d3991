import { Elysia } from 'elysia'
import { jsonBody } from '../http/body'
import { IdParams, NoContent, pageOf, problems } from '../http/schemas'
import { IdempotencyHeaders, ListTasksQuery, ProcessBody, TaskSchema } from './schemas'
import { type TaskService, toTaskJson } from './service'

/** Who made a request, for idempotency keys, until requests carry API keys. */
const ANONYMOUS_CALLER = 'anonymous'

export const taskRoutes = (tasks: TaskService, maxJsonBytes: number) =>
  new Elysia({ name: 'task-routes' })
    .post(
      '/api/datasets/:id/process',
      async ({ params, body, headers, set }) => {
        const key = headers['idempotency-key']
        const { task, replayed } = await tasks.submit(
          params.id,
          body.kind ?? 'profile',
          body.params,
          key === undefined ? undefined : { caller: ANONYMOUS_CALLER, key },
        )
        set.status = 202
        set.headers.location = `/api/tasks/${task.id}`
        if (replayed) set.headers['idempotent-replayed'] = 'true'
        return toTaskJson(task)
      },
      {
        params: IdParams,
        headers: IdempotencyHeaders,
        parse: jsonBody(maxJsonBytes, { emptyValue: {} }),
        body: ProcessBody,
        response: { 202: TaskSchema, ...problems(400, 404, 409, 415, 422, 503) },
        detail: {
          summary: 'Start an analysis of a dataset',
          description:
            'Creates a `pending` task and queues it; answers at once. An empty body means `{"kind":"profile"}`. Params are checked against the dataset\'s columns before anything is queued. With an `Idempotency-Key` header, repeating the same request within 24 h answers the task the first one created (header `Idempotent-Replayed: true`); the same key with a different request is a 422.',
          tags: ['tasks'],
        },
      },
    )
    .post(
      '/api/tasks/:id/cancel',
      async ({ params, set }) => {
        set.status = 202
        return toTaskJson(await tasks.cancel(params.id))
      },
      {
        params: IdParams,
        response: { 202: TaskSchema, ...problems(404, 409) },
        detail: {
          summary: 'Cancel a task',
          description:
            'A pending task is cancelled at once and never runs; a running one is answered still `running` and ends `cancelled` within a second, when its threads reach their next chunk. 409 when the task has already finished.',
          tags: ['tasks'],
        },
      },
    )
    .post(
      '/api/tasks/:id/retry',
      async ({ params, set }) => {
        const task = await tasks.retry(params.id)
        set.status = 202
        set.headers.location = `/api/tasks/${task.id}`
        return toTaskJson(task)
      },
      {
        params: IdParams,
        response: { 202: TaskSchema, ...problems(404, 409, 422, 503) },
        detail: {
          summary: 'Run a failed or cancelled task again',
          description:
            'Creates a new task with the same kind and params (checked again against the dataset as it is now). 409 for a task that is not failed or cancelled.',
          tags: ['tasks'],
        },
      },
    )
    .get('/api/tasks', ({ query }) => tasks.list(query), {
      query: ListTasksQuery,
      response: { 200: pageOf(TaskSchema), ...problems(422) },
      detail: { summary: 'List tasks, newest first', tags: ['tasks'] },
    })
    .get('/api/tasks/:id', async ({ params }) => toTaskJson(await tasks.get(params.id)), {
      params: IdParams,
      response: { 200: TaskSchema, ...problems(404) },
      detail: { summary: 'Get a task with its progress and result', tags: ['tasks'] },
    })
    .delete(
      '/api/tasks/:id',
      async ({ params, set }) => {
        await tasks.remove(params.id)
        set.status = 204
      },
      {
        params: IdParams,
        response: { 204: NoContent, ...problems(404) },
        detail: { summary: 'Delete a task (stopping it first if it has not finished)', tags: ['tasks'] },
      },
    )
