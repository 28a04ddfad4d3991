import { Elysia } from 'elysia'
import { authenticated } from '../auth/plugin'
import { jsonBody } from '../http/body'
import { IdParams, NoContent, pageOf, problems } from '../http/schemas'
import { IdempotencyHeaders, ListTasksQuery, ProcessBody, TaskSchema, TaskSummarySchema } from './schemas'
import type { TaskService } from './service'
import { toTaskJson } from './task-json'

export const taskRoutes = (tasks: TaskService, maxJsonBytes: number) =>
  new Elysia({ name: 'task-routes' })
    .use(authenticated())
    .post(
      '/api/datasets/:id/process',
      async ({ params, body, headers, set, principal }) => {
        const { task, replayed } = await tasks.submit(
          params.id,
          body.kind ?? 'profile',
          body.params,
          principal,
          headers['idempotency-key'],
        )
        set.status = 202
        set.headers.location = `/api/tasks/${task.id}`
        if (replayed) set.headers['idempotent-replayed'] = 'true'
        return toTaskJson(task)
      },
      {
        params: IdParams,
        headers: IdempotencyHeaders,
        parse: jsonBody(maxJsonBytes, { emptyValue: {}, schema: ProcessBody }),
        body: ProcessBody,
        response: { 202: TaskSchema, ...problems(400, 401, 404, 409, 415, 422, 429, 503) },
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
      async ({ params, set, principal }) => {
        set.status = 202
        return toTaskJson(await tasks.cancel(params.id, principal))
      },
      {
        params: IdParams,
        response: { 202: TaskSchema, ...problems(401, 404, 409, 429) },
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
      async ({ params, set, principal }) => {
        const task = await tasks.retry(params.id, principal)
        set.status = 202
        set.headers.location = `/api/tasks/${task.id}`
        return toTaskJson(task)
      },
      {
        params: IdParams,
        response: { 202: TaskSchema, ...problems(401, 404, 409, 422, 429, 503) },
        detail: {
          summary: 'Run a failed or cancelled task again',
          description:
            'Creates a new task with the same kind and params (checked again against the dataset as it is now). 409 for a task that is not failed or cancelled.',
          tags: ['tasks'],
        },
      },
    )
    .get('/api/tasks', ({ query, principal }) => tasks.list(query, principal), {
      query: ListTasksQuery,
      response: { 200: pageOf(TaskSummarySchema), ...problems(401, 422, 429) },
      detail: {
        summary: 'List tasks, newest first',
        description:
          'Each task carries every field but `result`, so that a page stays small whatever the results weigh; `GET /api/tasks/{id}` answers a task with its result.',
        tags: ['tasks'],
      },
    })
    .get('/api/tasks/:id', async ({ params, principal }) => toTaskJson(await tasks.get(params.id, principal)), {
      params: IdParams,
      response: { 200: TaskSchema, ...problems(401, 404, 429) },
      detail: { summary: 'Get a task with its progress and result', tags: ['tasks'] },
    })
    .delete(
      '/api/tasks/:id',
      async ({ params, set, principal }) => {
        await tasks.remove(params.id, principal)
        set.status = 204
      },
      {
        params: IdParams,
        response: { 204: NoContent, ...problems(401, 404, 429) },
        detail: { summary: 'Delete a task (stopping it first if it has not finished)', tags: ['tasks'] },
      },
    )
