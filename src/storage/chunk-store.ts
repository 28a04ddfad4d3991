import { and, asc, eq, gt, lt, sql } from 'drizzle-orm'
import type { Executor } from '../db/client'
import { type DatasetVersionRow, datasetChunks, datasetVersionSeq, datasetVersions } from '../db/schema'
import { type Chunk, decodeChunk } from './chunk-codec'

export type StoredChunk = Chunk & { seq: number; rowStart: number }

/** A chunk as stored, before decoding. */
export type StoredChunkRow = { seq: number; rowStart: number; rowCount: number; data: Uint8Array }

export function decodeStored(row: StoredChunkRow): StoredChunk {
  const chunk = decodeChunk(row.data)
  if (chunk.rowCount !== row.rowCount)
    throw new Error(`corrupt chunk ${row.seq}: ${chunk.rowCount} rows decoded, ${row.rowCount} stored`)
  return { ...chunk, seq: row.seq, rowStart: row.rowStart }
}

const chunkFields = {
  seq: datasetChunks.seq,
  rowStart: datasetChunks.rowStart,
  rowCount: datasetChunks.rowCount,
  data: datasetChunks.data,
}

export type VersionSummary = Pick<DatasetVersionRow, 'rowCount' | 'columns' | 'chunkCount' | 'sizeBytes'>

/** Opens a new data version for chunks to be written into; `finishVersion` records what it holds. */
export async function openVersion(db: Executor, datasetId: string): Promise<number> {
  const [row] = await db.execute<{ v: string }>(sql`select nextval(${datasetVersionSeq.seqName}) as v`)
  const version = Number(row!.v)
  await db.insert(datasetVersions).values({ datasetId, version, rowCount: 0, columns: [], chunkCount: 0, sizeBytes: 0 })
  return version
}

export async function finishVersion(
  db: Executor,
  datasetId: string,
  version: number,
  summary: VersionSummary,
): Promise<void> {
  await db
    .update(datasetVersions)
    .set(summary)
    .where(and(eq(datasetVersions.datasetId, datasetId), eq(datasetVersions.version, version)))
}

export async function insertChunk(
  db: Executor,
  datasetId: string,
  version: number,
  chunk: { seq: number; rowStart: number; rowCount: number; bytes: Uint8Array },
): Promise<void> {
  await db
    .insert(datasetChunks)
    .values({
      datasetId,
      version,
      seq: chunk.seq,
      rowStart: chunk.rowStart,
      rowCount: chunk.rowCount,
      data: chunk.bytes,
    })
    .prepare('chunk_insert')
    .execute()
}

/** The chunks that hold rows [from, to) of a data version, decoded. */
export async function readRowRange(
  db: Executor,
  datasetId: string,
  version: number,
  from: number,
  to: number,
): Promise<StoredChunk[]> {
  const rows = await db
    .select(chunkFields)
    .from(datasetChunks)
    .where(
      and(
        eq(datasetChunks.datasetId, datasetId),
        eq(datasetChunks.version, version),
        lt(datasetChunks.rowStart, to),
        gt(sql`${datasetChunks.rowStart} + ${datasetChunks.rowCount}`, from),
      ),
    )
    .orderBy(asc(datasetChunks.seq))
    .prepare('chunk_rows')
    .execute()
  return rows.map(decodeStored)
}

/**
 * Deletes the data versions of a dataset that are neither current nor pinned by an unfinished
 * task, so that a replace never pulls data from under a running analysis.
 */
export async function pruneDataVersions(db: Executor, datasetId: string): Promise<void> {
  await db.execute(sql`
    delete from dataset_versions v
    where v.dataset_id = ${datasetId}
      and v.version <> (select d.version from datasets d where d.id = ${datasetId})
      and not exists (
        select 1 from tasks t
        where t.dataset_id = v.dataset_id and t.dataset_version = v.version and t.status in ('pending', 'running')
      )`)
}
