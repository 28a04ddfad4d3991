import { Elysia } from 'elysia'
import { jsonBody, readJson } from '../http/body'
import { bodyCheck } from '../http/check-body'
import { parseMediaType } from '../http/media-type'
import { IdParams, NoContent, pageOf, problems } from '../http/schemas'
import type { TaskService } from '../tasks/service'
import { createRequestBody } from './data-docs'
import { dataRoutes } from './data-routes'
import { parseJsonExact } from './ingest/exact-json'
import {
  CreateDatasetBody,
  DatasetSchema,
  ListDatasetsQuery,
  PatchDatasetBody,
  ReplaceDatasetBody,
  RowsPage,
  RowsQuery,
} from './schemas'
import { type DatasetService, toDatasetJson } from './service'
import { createFromMultipart, type UploadLimits } from './upload/multipart-create'

const tags = ['datasets']

const checkCreateBody = bodyCheck(CreateDatasetBody)

export const datasetRoutes = (
  datasets: DatasetService,
  tasks: Pick<TaskService, 'removeDataset'>,
  limits: UploadLimits & { jsonBytes: number },
) => {
  const parseJson = jsonBody(limits.jsonBytes)
  return new Elysia({ name: 'dataset-routes' })
    .get('/api/datasets', ({ query }) => datasets.list(query), {
      query: ListDatasetsQuery,
      response: { 200: pageOf(DatasetSchema), ...problems(422) },
      detail: { summary: 'List datasets, newest first', tags },
    })
    .post(
      '/api/datasets',
      async ({ request, set }) => {
        const row =
          parseMediaType(request.headers.get('content-type'))?.type === 'multipart/form-data'
            ? await createFromMultipart(request, datasets, limits)
            : await datasets.create(checkCreateBody(await readJson(request, limits.jsonBytes, parseJsonExact)))
        set.status = 201
        set.headers.location = `/api/datasets/${row.id}`
        return toDatasetJson(row)
      },
      {
        // The body is read by the handler: JSON is parsed whole, a multipart upload streamed.
        parse: 'none',
        response: { 201: DatasetSchema, ...problems(400, 413, 415, 422, 503) },
        detail: {
          summary: 'Create a dataset',
          description:
            'As JSON: metadata only, or with small inline data as `rows` (objects) or `csv` (text with a header row). As multipart/form-data: `name`, `description` and a `file` (CSV, NDJSON or JSON array, optionally gzip), streamed into storage while it arrives. Column types are inferred from the data.',
          tags,
          requestBody: createRequestBody,
        },
      },
    )
    .get('/api/datasets/:id', async ({ params }) => toDatasetJson(await datasets.get(params.id)), {
      params: IdParams,
      response: { 200: DatasetSchema, ...problems(404) },
      detail: { summary: 'Get a dataset', tags },
    })
    .put('/api/datasets/:id', async ({ params, body }) => toDatasetJson(await datasets.replace(params.id, body)), {
      params: IdParams,
      parse: parseJson,
      body: ReplaceDatasetBody,
      response: { 200: DatasetSchema, ...problems(400, 404, 415, 422) },
      detail: { summary: "Replace a dataset's name and description", tags },
    })
    .patch('/api/datasets/:id', async ({ params, body }) => toDatasetJson(await datasets.patch(params.id, body)), {
      params: IdParams,
      parse: parseJson,
      body: PatchDatasetBody,
      response: { 200: DatasetSchema, ...problems(400, 404, 415, 422) },
      detail: { summary: "Change some of a dataset's fields", tags },
    })
    .delete(
      '/api/datasets/:id',
      async ({ params, set }) => {
        await tasks.removeDataset(params.id)
        set.status = 204
      },
      {
        params: IdParams,
        response: { 204: NoContent, ...problems(404) },
        detail: { summary: 'Delete a dataset, its data and its tasks (unfinished ones are cancelled)', tags },
      },
    )
    .get('/api/datasets/:id/rows', ({ params, query }) => datasets.rows(params.id, query.offset, query.limit), {
      params: IdParams,
      query: RowsQuery,
      response: { 200: RowsPage, ...problems(404, 422) },
      detail: { summary: 'Page through the rows of a dataset', tags },
    })
    .use(dataRoutes(datasets, limits))
}
