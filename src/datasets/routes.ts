import { Elysia } from 'elysia'
import { authenticated } from '../auth/plugin'
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
  return new Elysia({ name: 'dataset-routes' })
    .use(authenticated())
    .get('/api/datasets', ({ query, principal }) => datasets.list(query, principal), {
      query: ListDatasetsQuery,
      response: { 200: pageOf(DatasetSchema), ...problems(401, 422, 429) },
      detail: { summary: 'List datasets, newest first', tags },
    })
    .post(
      '/api/datasets',
      async ({ request, set, principal }) => {
        const row =
          parseMediaType(request.headers.get('content-type'))?.type === 'multipart/form-data'
            ? await createFromMultipart(request, datasets, limits, principal)
            : await datasets.create(
                checkCreateBody(await readJson(request, limits.jsonBytes, parseJsonExact)),
                principal,
              )
        set.status = 201
        set.headers.location = `/api/datasets/${row.id}`
        return toDatasetJson(row)
      },
      {
        // The body is read by the handler: JSON is parsed whole, a multipart upload streamed.
        parse: 'none',
        response: { 201: DatasetSchema, ...problems(400, 401, 408, 413, 415, 422, 429, 503) },
        detail: {
          summary: 'Create a dataset',
          description:
            'As JSON: metadata only, or with small inline data as `rows` (objects) or `csv` (text with a header row). As multipart/form-data: `name`, `description` and a `file` (CSV, NDJSON or JSON array, optionally gzip), streamed into storage while it arrives. Column types are inferred from the data.',
          tags,
          requestBody: createRequestBody,
        },
      },
    )
    .get(
      '/api/datasets/:id',
      async ({ params, principal }) => toDatasetJson(await datasets.get(params.id, principal)),
      {
        params: IdParams,
        response: { 200: DatasetSchema, ...problems(401, 404, 429) },
        detail: { summary: 'Get a dataset', tags },
      },
    )
    .put(
      '/api/datasets/:id',
      async ({ params, body, principal }) => toDatasetJson(await datasets.replace(params.id, body, principal)),
      {
        params: IdParams,
        parse: jsonBody(limits.jsonBytes, { schema: ReplaceDatasetBody }),
        body: ReplaceDatasetBody,
        response: { 200: DatasetSchema, ...problems(400, 401, 404, 415, 422, 429) },
        detail: { summary: "Replace a dataset's name and description", tags },
      },
    )
    .patch(
      '/api/datasets/:id',
      async ({ params, body, principal }) => toDatasetJson(await datasets.patch(params.id, body, principal)),
      {
        params: IdParams,
        parse: jsonBody(limits.jsonBytes, { schema: PatchDatasetBody }),
        body: PatchDatasetBody,
        response: { 200: DatasetSchema, ...problems(400, 401, 404, 415, 422, 429) },
        detail: { summary: "Change some of a dataset's fields", tags },
      },
    )
    .delete(
      '/api/datasets/:id',
      async ({ params, set, principal }) => {
        await tasks.removeDataset(params.id, principal)
        set.status = 204
      },
      {
        params: IdParams,
        response: { 204: NoContent, ...problems(401, 404, 429) },
        detail: { summary: 'Delete a dataset, its data and its tasks (unfinished ones are cancelled)', tags },
      },
    )
    .get(
      '/api/datasets/:id/rows',
      ({ params, query, principal }) => datasets.rows(params.id, query.offset, query.limit, principal),
      {
        params: IdParams,
        query: RowsQuery,
        response: { 200: RowsPage, ...problems(401, 404, 422, 429) },
        detail: { summary: 'Page through the rows of a dataset', tags },
      },
    )
    .use(dataRoutes(datasets, limits))
}
