import { SQL } from 'bun'
import { decodeStored, type StoredChunk } from './chunk-store'

/** Chunks fetched per query: few round trips, and little held while they are processed. */
const CHUNKS_PER_QUERY = 2

type ChunkRecord = { seq: number; row_start: string; row_count: number; data: Uint8Array }

export type ChunkReader = {
  /** Chunks [fromSeq, toSeq) of a data version, in order, the next ones read while these are used. */
  read(datasetId: string, version: number, fromSeq: number, toSeq: number): AsyncGenerator<StoredChunk>
  /** The chunks that hold rows [from, to) of a data version. */
  rowRange(datasetId: string, version: number, from: number, to: number): Promise<StoredChunk[]>
  close(): Promise<void>
}

const toStored = (r: ChunkRecord) =>
  decodeStored({ seq: r.seq, rowStart: Number(r.row_start), rowCount: r.row_count, data: r.data })

/**
 * Bulk reads of stored chunks through Bun's native PostgreSQL client. Reading chunks is where
 * analyses and exports spend their time, and this client moved the chunks of 1M rows about 3×
 * faster than postgres.js here (binary transfer, no buffering in JavaScript). Everything else
 * stays on Drizzle.
 */
export function createChunkReader(databaseUrl: string, max = 2): ChunkReader {
  const sql = new SQL({ url: databaseUrl, max })
  const batch = (datasetId: string, version: number, from: number, to: number) =>
    sql<ChunkRecord[]>`
      select seq, row_start, row_count, data from dataset_chunks
      where dataset_id = ${datasetId} and version = ${version} and seq >= ${from} and seq < ${to}
      order by seq`
  return {
    async *read(datasetId, version, fromSeq, toSeq) {
      const fetchFrom = (seq: number) => batch(datasetId, version, seq, Math.min(seq + CHUNKS_PER_QUERY, toSeq))
      let pending = fromSeq < toSeq ? fetchFrom(fromSeq) : null
      try {
        for (let seq = fromSeq; seq < toSeq; seq += CHUNKS_PER_QUERY) {
          const rows = await pending!
          pending = seq + CHUNKS_PER_QUERY < toSeq ? fetchFrom(seq + CHUNKS_PER_QUERY) : null
          if (rows.length !== Math.min(CHUNKS_PER_QUERY, toSeq - seq))
            throw new Error(`data version ${version} lacks chunks from ${seq}`)
          for (const row of rows) yield toStored(row)
        }
      } finally {
        // A consumer that stops early leaves a read in flight; its outcome no longer matters.
        pending?.catch(() => {})
      }
    },
    async rowRange(datasetId, version, from, to) {
      const rows = await sql<ChunkRecord[]>`
        select seq, row_start, row_count, data from dataset_chunks
        where dataset_id = ${datasetId} and version = ${version} and row_start < ${to} and row_start + row_count > ${from}
        order by seq`
      return rows.map(toStored)
    },
    close: () => sql.close(),
  }
}
