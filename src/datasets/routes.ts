import { Elysia } from 'elysia'
import { jsonBody } from '../http/body'
import { IdParams, NoContent, pageOf, problems } from '../http/schemas'
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

const tags = ['datasets']

export const datasetRoutes = (datasets: DatasetService, maxJsonBytes: number) => {
  const parseJson = jsonBody(maxJsonBytes)
  return new Elysia({ name: 'dataset-routes' })
    .get('/api/datasets', ({ query }) => datasets.list(query), {
      query: ListDatasetsQuery,
      response: { 200: pageOf(DatasetSchema), ...problems(422) },
      detail: { summary: 'List datasets, newest first', tags },
    })
    .post(
      '/api/datasets',
      async ({ body, set }) => {
        const row = await datasets.create(body)
        set.status = 201
        set.headers.location = `/api/datasets/${row.id}`
        return toDatasetJson(row)
      },
      {
        parse: parseJson,
        body: CreateDatasetBody,
        response: { 201: DatasetSchema, ...problems(400, 413, 415, 422, 503) },
        detail: {
          summary: 'Create a dataset',
          description:
            'Metadata only, or with small inline data as `rows` (objects) or `csv` (text with a header row). Column types are inferred from the data.',
          tags,
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
        await datasets.remove(params.id)
        set.status = 204
      },
      {
        params: IdParams,
        response: { 204: NoContent, ...problems(404) },
        detail: { summary: 'Delete a dataset, its data and its tasks', tags },
      },
    )
    .get('/api/datasets/:id/rows', ({ params, query }) => datasets.rows(params.id, query.offset, query.limit), {
      params: IdParams,
      query: RowsQuery,
      response: { 200: RowsPage, ...problems(404, 422) },
      detail: { summary: 'Page through the rows of a dataset', tags },
    })
}
