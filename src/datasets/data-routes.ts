import { Elysia, t } from 'elysia'
import { authenticated } from '../auth/plugin'
import { decodedRequestBytes } from '../http/body-stream'
import { preferredMediaType } from '../http/media-type'
import { IdParams, oneOf, problemResponses, problems } from '../http/schemas'
import { dataRequestBody, exportResponses } from './data-docs'
import { exportResponse } from './export/export-response'
import type { ExportFormat } from './export/row-formats'
import { utf8Text } from './ingest/utf8-text'
import { DatasetSchema } from './schemas'
import { type DatasetService, toDatasetJson } from './service'
import { formatOfContentType } from './upload/formats'
import type { UploadLimits } from './upload/multipart-create'
import { textFeed } from './upload/text-feed'

const tags = ['datasets']

const EXPORT_TYPES: Record<string, ExportFormat> = {
  'text/csv': 'csv',
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
  'application/jsonl': 'ndjson',
}
const EXPORT_OFFERS = Object.keys(EXPORT_TYPES) as [string, ...string[]]

const ExportQuery = t.Object({
  format: t.Optional(oneOf(['csv', 'ndjson'], { description: 'overrides the Accept header; CSV by default' })),
})

/** The routes that move a dataset's data in and out as streams. */
export const dataRoutes = (datasets: DatasetService, limits: UploadLimits) =>
  new Elysia({ name: 'dataset-data-routes' })
    .use(authenticated())
    .put(
      '/api/datasets/:id/data',
      async ({ params, request, principal }) => {
        const type = request.headers.get('content-type')
        const format = formatOfContentType(type)
        const body = decodedRequestBytes(request, { maxBytes: limits.bodyBytes, idleMs: limits.bodyIdleMs })
        const text = utf8Text(body, type ?? '')
        return toDatasetJson(
          await datasets.replaceData(
            params.id,
            textFeed(format, text, i => `body.${i}`),
            principal,
          ),
        )
      },
      {
        params: IdParams,
        parse: 'none',
        response: { 200: DatasetSchema, ...problems(400, 401, 404, 408, 413, 415, 422, 429, 503) },
        detail: {
          summary: "Replace a dataset's data with an uploaded file",
          description:
            'Streams the body into a new data version while it arrives, in bounded memory; the previous data stays in place until the whole body has been read and stored, so a failed, refused or interrupted upload changes nothing. Errors name the line (CSV, NDJSON) or element (JSON) of the first bad record. `curl -T data.csv -H "Content-Type: text/csv" …/data` works.',
          tags,
          requestBody: dataRequestBody,
        },
      },
    )
    .get(
      '/api/datasets/:id/data',
      async ({ params, query, request, principal }) => {
        const format = query.format ?? EXPORT_TYPES[preferredMediaType(request.headers.get('accept'), EXPORT_OFFERS)]!
        const { dataset, chunks } = await datasets.dataChunks(params.id, principal)
        return exportResponse(dataset, chunks, format)
      },
      {
        params: IdParams,
        query: ExportQuery,
        detail: {
          summary: "Download a dataset's data as CSV or NDJSON",
          description:
            'Streams the stored data chunk by chunk. CSV unless `?format=ndjson` or an `Accept` header that prefers `application/x-ndjson`. CSV output uploads back into the same values: formula-like strings get a leading apostrophe, which the CSV uploader drops again.',
          tags,
          responses: { ...exportResponses, ...problemResponses(401, 404, 409, 422, 429) },
        },
      },
    )
