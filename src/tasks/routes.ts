import { Elysia } from 'elysia'
import { jsonBody } from '../http/body'
import { IdParams, NoContent, pageOf, problems } from '../http/schemas'
import { ListTasksQuery, ProcessBody, TaskSchema } from './schemas'
import { type TaskService, toTaskJson } from './service'

export const taskRoutes = (tasks: TaskService, maxJsonBytes: number) =>
  new Elysia({ name: 'task-routes' })
    .post(
      '/api/datasets/:id/process',
      async ({ params, body, set }) => {
        const task = await tasks.submit(params.id, body.kind ?? 'profile', body.params)
        set.status = 202
        set.headers.location = `/api/tasks/${task.id}`
        return toTaskJson(task)
      },
      {
        params: IdParams,
        parse: jsonBody(maxJsonBytes, { emptyValue: {} }),
        body: ProcessBody,
        response: { 202: TaskSchema, ...problems(400, 404, 409, 415, 422, 503) },
        detail: {
          summary: 'Start an analysis of a dataset',
          description:
            'Creates a `pending` task and queues it; answers at once. An empty body means `{"kind":"profile"}`. Params are checked against the dataset\'s columns before anything is queued.',
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
