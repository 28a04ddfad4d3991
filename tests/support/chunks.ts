import type { JsonCell } from '../../src/datasets/ingest/cells'
import { type EncodedChunk, TableBuilder } from '../../src/datasets/ingest/table-builder'
import { decodeStored, type StoredChunk } from '../../src/storage/chunk-store'
import type { ColumnInfo } from '../../src/storage/columns'

const LIMITS = { columns: 1000, cellBytes: 1 << 20, rows: 1e9 }

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
