import type { DocumentDecoration } from 'elysia'
import { CellSchema, CreateDatasetBody } from './schemas'

type SchemaObject = Record<string, unknown>

/** Hand-written OpenAPI parts of the routes that stream their bodies. */

const JSON_RECORDS: SchemaObject = {
  type: 'array',
  items: { type: 'object', additionalProperties: CellSchema },
  description: 'an array of flat objects, one per row',
}

const TEXT = (description: string) => ({ schema: { type: 'string' as const, description } })

/** The raw data bodies `PUT /api/datasets/{id}/data` takes; any of them may be sent gzip-compressed. */
export const dataRequestBody: DocumentDecoration['requestBody'] = {
  required: true,
  description:
    'The new data, streamed: CSV with a header row, NDJSON (one object per line) or a JSON array of objects, in UTF-8. With `Content-Encoding: gzip` the body may be compressed.',
  content: {
    'text/csv': TEXT('RFC 4180 CSV, header row first'),
    'application/x-ndjson': TEXT('one JSON object per line'),
    'application/json': { schema: JSON_RECORDS },
  },
}

/** `POST /api/datasets`: JSON with optional inline data, or a multipart form with a file. */
export const createRequestBody: DocumentDecoration['requestBody'] = {
  required: true,
  content: {
    'application/json': { schema: CreateDatasetBody },
    'multipart/form-data': {
      schema: {
        type: 'object',
        required: ['name', 'file'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 200 },
          description: { type: 'string', maxLength: 10_000 },
          file: {
            type: 'string',
            format: 'binary',
            description:
              'CSV, NDJSON or a JSON array; told apart by the part’s media type or else by the file name (.csv, .ndjson/.jsonl, .json, each optionally .gz)',
          },
        },
      },
      encoding: { file: { contentType: 'text/csv, application/x-ndjson, application/json, application/gzip' } },
    },
  },
}

/** The streamed download of `GET /api/datasets/{id}/data`. */
export const exportResponses: DocumentDecoration['responses'] = {
  '200': {
    description:
      'The data, streamed: CSV (RFC 4180, header row, nulls as empty cells, formula-like strings prefixed with an apostrophe) or NDJSON',
    headers: {
      'Content-Disposition': {
        schema: { type: 'string' },
        description: 'attachment with a file name from the dataset name',
      },
    },
    content: {
      'text/csv': TEXT('CSV'),
      'application/x-ndjson': TEXT('one JSON object per line'),
    },
  },
}
