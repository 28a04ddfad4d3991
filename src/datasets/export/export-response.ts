import type { DatasetRow } from '../../db/schema'
import type { StoredChunk } from '../../storage/chunk-store'
import { collectGarbageIfGrown } from '../memory-headroom'
import { type ExportFormat, rowFormat } from './row-formats'

/** Rows written per piece of the response: a few hundred KB of text. */
const ROWS_PER_PIECE = 4096

async function* exportText(dataset: DatasetRow, chunks: AsyncIterable<StoredChunk>, format: ExportFormat) {
  const rows = rowFormat(format, dataset.columns)
  if (rows.header) yield rows.header
  for await (const chunk of chunks) {
    collectGarbageIfGrown()
    for (let from = 0; from < chunk.rowCount; from += ROWS_PER_PIECE)
      yield rows.rows(chunk, from, Math.min(from + ROWS_PER_PIECE, chunk.rowCount))
  }
}

/** An ASCII file name for Content-Disposition, plus the exact one in RFC 5987 form. */
export function contentDisposition(name: string, extension: string): string {
  const ascii =
    name
      .replace(/[^\w. -]+/g, '_')
      .trim()
      .slice(0, 100) || 'dataset'
  const exact = encodeURIComponent(`${name}.${extension}`).replace(
    /['()*]/g,
    c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )
  return `attachment; filename="${ascii}.${extension}"; filename*=UTF-8''${exact}`
}

/**
 * The stored data as a streamed download. Each piece is written only when the client has taken
 * the previous one (the stream is pulled), so a slow reader holds a chunk or two in memory, not
 * the dataset. The first piece is made before answering, so a failure to read the data is
 * still an error answer; a failure later (the data replaced and pruned mid-download) cuts the
 * response short, which the client sees as an incomplete transfer.
 */
export async function exportResponse(
  dataset: DatasetRow,
  chunks: AsyncGenerator<StoredChunk>,
  format: ExportFormat,
): Promise<Response> {
  const { mediaType, extension } = rowFormat(format, dataset.columns)
  const pieces = exportText(dataset, chunks, format)
  const encoder = new TextEncoder()
  const first = await pieces.next()
  let pending: IteratorResult<string> | null = first
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = pending ?? (await pieces.next())
      pending = null
      if (next.done) controller.close()
      else controller.enqueue(encoder.encode(next.value))
    },
    async cancel() {
      await pieces.return(undefined)
    },
  })
  return new Response(body, {
    headers: {
      'content-type': mediaType,
      'content-disposition': contentDisposition(dataset.name, extension),
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
  })
}
