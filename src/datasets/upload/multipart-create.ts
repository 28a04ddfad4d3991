import { t } from 'elysia'
import type { Principal } from '../../auth/principal'
import type { DatasetRow } from '../../db/schema'
import { bodyCheck } from '../../http/check-body'
import { gunzip } from '../../http/gunzip'
import { type MultipartFile, readMultipart } from '../../http/multipart'
import { invalid } from '../../http/problem'
import type { IngestLimits } from '../ingest/table-builder'
import { utf8Text } from '../ingest/utf8-text'
import { DatasetFields } from '../schemas'
import type { DatasetService } from '../service'
import { formatOfFilePart } from './formats'
import { textFeed } from './text-feed'

export type UploadLimits = IngestLimits & { bodyBytes: number; bodyIdleMs: number }

const checkFields = bodyCheck(t.Object(DatasetFields, { additionalProperties: false }))
const checkSomeFields = bodyCheck(t.Partial(t.Object(DatasetFields, { additionalProperties: false })))

/** Room for the longest description in UTF-8, with margin. */
const FIELD_BYTES = 64 * 1024

const FILE_MEDIA_TYPES = { csv: 'text/csv', ndjson: 'application/x-ndjson', json: 'application/json' } as const

/**
 * `POST /api/datasets` as multipart/form-data: `name`, `description` and one `file`, in any
 * order. The file is parsed and stored while it arrives, in the transaction that creates the
 * dataset; fields are checked as they come, so a bad name stops the upload at once.
 */
export async function createFromMultipart(
  request: Request,
  datasets: DatasetService,
  limits: UploadLimits,
  owner: Principal,
): Promise<DatasetRow> {
  // A Map, so that a field named __proto__ or toString is as unknown as any other name.
  const fields = new Map<string, string>()
  const created = await readMultipart(
    request,
    { bodyBytes: limits.bodyBytes, bodyIdleMs: limits.bodyIdleMs, fieldBytes: FIELD_BYTES, fields: 2 },
    {
      onField(name, value) {
        if (fields.has(name))
          throw invalid(`The field ${name} is sent twice`, [{ path: `body.${name}`, message: 'sent twice' }])
        fields.set(name, value)
        checkSomeFields(Object.fromEntries(fields))
      },
      async onFile(file: MultipartFile) {
        if (file.field !== 'file')
          throw invalid(`The file must be sent as the field "file", not ${JSON.stringify(file.field)}`, [
            { path: `body.${file.field}`, message: 'unknown file field; send the data as "file"' },
          ])
        const { format, gzip } = formatOfFilePart(file.filename, file.mimeType)
        const bytes = gzip ? gunzip(file.bytes, limits.bodyBytes) : file.bytes
        const text = utf8Text(bytes, FILE_MEDIA_TYPES[format])
        return datasets.createWithData(
          textFeed(format, text, i => `file.${i}`),
          async () => {
            await file.formRead
            return checkFields(Object.fromEntries(fields))
          },
          owner,
        )
      },
    },
  )
  if (!created) {
    checkFields(Object.fromEntries(fields))
    throw invalid('Send the data as a file part named "file"', [{ path: 'body.file', message: 'required' }])
  }
  return created.file
}
