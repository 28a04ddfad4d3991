import { type EncodedChunk, TableBuilder, type TableSummary } from '../../src/datasets/ingest/table-builder'
import { cellReader } from '../../src/storage/cell-values'
import { decodeChunk } from '../../src/storage/chunk-codec'
import { decodeStored, type StoredChunk } from '../../src/storage/chunk-store'
import type { ColumnInfo, JsonCell } from '../../src/storage/columns'

const LIMITS = { columns: 1000, cellBytes: 1 << 20, rows: 1e9, recordBytes: 1 << 30 }

/** Stores rows the way an upload would, in chunks of `chunkRows`, and decodes them again. */
export async function chunksOf(
  rows: readonly Record<string, JsonCell>[],
  chunkRows: number,
): Promise<{ chunks: StoredChunk[]; columns: ColumnInfo[] }> {
  const encoded: EncodedChunk[] = []
  const builder = new TableBuilder('json', chunkRows, LIMITS, async chunk => void encoded.push(chunk))
  for (const row of rows) await builder.addRecord(row)
  const summary = await builder.finish()
  return {
    chunks: encoded.map(c => decodeStored({ seq: c.seq, rowStart: c.rowStart, rowCount: c.rowCount, data: c.bytes })),
    columns: summary.columns,
  }
}

/** A JSON round trip, as a partial result makes through Redis between worker processes. */
export const overTheWire = <T>(value: T): T => JSON.parse(JSON.stringify(value))

/** The rows encoded chunks hold, read back the way the API shows them. */
export function rowsOf(chunks: readonly EncodedChunk[], summary: TableSummary): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = []
  for (const { bytes } of chunks) {
    const chunk = decodeChunk(bytes)
    const readers = summary.columns.map((c, i) => cellReader(chunk.columns.get(i), c.type))
    for (let r = 0; r < chunk.rowCount; r++)
      rows.push(Object.fromEntries(summary.columns.map((c, i) => [c.name, readers[i]!(r)])))
  }
  return rows
}
