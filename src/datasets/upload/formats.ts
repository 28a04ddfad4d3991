import { parseMediaType } from '../../http/media-type'
import { unsupportedMediaType } from '../../http/problem'

export type UploadFormat = 'csv' | 'ndjson' | 'json'

const BY_MEDIA_TYPE: Record<string, UploadFormat> = {
  'text/csv': 'csv',
  'application/csv': 'csv',
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
  'application/jsonl': 'ndjson',
  'application/x-jsonlines': 'ndjson',
  'application/json': 'json',
}

const BY_EXTENSION: Record<string, UploadFormat> = { csv: 'csv', ndjson: 'ndjson', jsonl: 'ndjson', json: 'json' }

const GZIP_TYPES = new Set(['application/gzip', 'application/x-gzip'])

/** What a `charset` parameter may say: the body is decoded as UTF-8 (of which ASCII is a part). */
const UTF8_CHARSETS = new Set(['utf-8', 'utf8', 'us-ascii'])

export const ACCEPTED_MEDIA_TYPES = 'text/csv, application/x-ndjson or application/json (an array of objects)'

/** The format of a raw data body from its Content-Type; anything else is a 415. */
export function formatOfContentType(header: string | null): UploadFormat {
  const media = parseMediaType(header)
  const format = media ? BY_MEDIA_TYPE[media.type] : undefined
  if (!media || !format)
    throw unsupportedMediaType(`Send the data as ${ACCEPTED_MEDIA_TYPES}${header ? ` (got ${header})` : ''}`)
  const charset = media.params.get('charset')?.toLowerCase()
  if (charset !== undefined && !UTF8_CHARSETS.has(charset))
    throw unsupportedMediaType(`Send the data as UTF-8 (the charset given is ${charset})`)
  return format
}

/**
 * The format of an uploaded file part: its own media type where that names one of ours, else
 * its file name's extension (browsers send `.ndjson` files as application/octet-stream). A
 * `.gz` name or a gzip media type means the file is compressed, its format named by the rest.
 */
export function formatOfFilePart(filename: string, mimeType: string): { format: UploadFormat; gzip: boolean } {
  const type = parseMediaType(mimeType)?.type ?? ''
  const parts = filename.toLowerCase().split('.')
  const gzip = GZIP_TYPES.has(type) || (parts.length > 2 && parts.at(-1) === 'gz')
  if (gzip && parts.at(-1) === 'gz') parts.pop()
  const format = BY_MEDIA_TYPE[type] ?? (parts.length > 1 ? BY_EXTENSION[parts.at(-1)!] : undefined)
  if (!format)
    throw unsupportedMediaType(
      `The file ${JSON.stringify(filename)} (${mimeType}) is not CSV, NDJSON or JSON; name it .csv, .ndjson or .json or send it with one of those media types`,
    )
  return { format, gzip }
}
