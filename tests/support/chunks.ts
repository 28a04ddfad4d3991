import type { JsonCell } from '../../src/datasets/ingest/cells'
import { type EncodedChunk, TableBuilder } from '../../src/datasets/ingest/table-builder'
import { type Chunk, decodeChunk } from '../../src/storage/chunk-codec'
import type { ColumnInfo } from '../../src/storage/columns'

const LIMITS = { columns: 1000, cellBytes: 1 << 20, rows: 1e9 }

/** Stores rows the way an upload would, in chunks of `chunkRows`, and decodes them again. */
export async function chunksOf(
  rows: readonly Record<string, JsonCell>[],
  chunkRows: number,
): Promise<{ chunks: Chunk[]; columns: ColumnInfo[] }> {
  const encoded: EncodedChunk[] = []
  const builder = new TableBuilder('json', chunkRows, LIMITS, async chunk => void encoded.push(chunk))
  for (const row of rows) await builder.addRecord(row)
  const summary = await builder.finish()
  return { chunks: encoded.map(c => decodeChunk(c.bytes)), columns: summary.columns }
}

/** A JSON round trip, as a partial result makes through Redis between worker processes. */
export const overTheWire = <T>(value: T): T => JSON.parse(JSON.stringify(value))
