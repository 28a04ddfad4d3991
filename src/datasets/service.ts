import type { Static } from 'elysia'
import { type Principal, visibleOwner } from '../auth/principal'
import type { Database, Executor } from '../db/client'
import type { DatasetRow } from '../db/schema'
import { decodeCursor, isUuid, type Page, toPage } from '../http/pagination'
import { conflict, invalid, notFound } from '../http/problem'
import { cellReader } from '../storage/cell-values'
import {
  finishVersion,
  insertChunk,
  openVersion,
  pruneDataVersions,
  readRowRange,
  type StoredChunk,
} from '../storage/chunk-store'
import type { JsonCell } from '../storage/columns'
import type { DataFeed } from './data-feed'
import { ingestJsonRecords } from './ingest/json-records'
import { type IngestLimits, TableBuilder, type TableSummary } from './ingest/table-builder'
import { collectGarbageIfGrown } from './memory-headroom'
import { createDatasetQueries, type DatasetQueries } from './queries'
import type { CreateDatasetInput, DatasetSchema, PatchDatasetInput } from './schemas'
import { QuotaCheck, quotaOf } from './storage-quota'
import { textFeed } from './upload/text-feed'
import { WriteSlots } from './write-slots'

/** A dataset as the API shows it. */
export type DatasetJson = Static<typeof DatasetSchema>

export function toDatasetJson(row: DatasetRow): DatasetJson {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    status: row.status,
    row_count: row.rowCount,
    columns: row.columns,
    size_bytes: row.sizeBytes,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  }
}

export type RowsPage = { data: Record<string, JsonCell>[]; offset: number; limit: number; total: number }

export type DatasetMetadata = { name: string; description?: string }

export type DatasetServiceOptions = {
  limits: IngestLimits
  chunkRows: number
  maxConcurrentUploads: number
  maxUploadsPerKey: number
  /** What the datasets of one non-admin key may take in storage. */
  maxStorageBytesPerKey: number
}

export class DatasetService {
  private readonly queries: DatasetQueries
  private readonly writeSlots: WriteSlots

  constructor(
    private readonly db: Database,
    private readonly options: DatasetServiceOptions,
  ) {
    this.queries = createDatasetQueries(db)
    this.writeSlots = new WriteSlots(options.maxConcurrentUploads, options.maxUploadsPerKey)
  }

  /** The dataset if the viewer may see it; another owner's is as unknown as a missing one (404). */
  async get(id: string, viewer: Principal): Promise<DatasetRow> {
    const row = isUuid(id) ? await this.queries.find(id, visibleOwner(viewer)) : null
    if (!row) throw notFound('dataset')
    return row
  }

  /** Whether the viewer may see the dataset, without the 404 of `get`. */
  async isVisible(id: string, viewer: Principal): Promise<boolean> {
    return (await this.queries.find(id, visibleOwner(viewer))) !== null
  }

  async list(query: { q?: string; limit: number; cursor?: string }, viewer: Principal): Promise<Page<DatasetJson>> {
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor)
    const rows = await this.queries.list({ owner: visibleOwner(viewer), q: query.q, limit: query.limit, cursor })
    return toPage(rows, query.limit, toDatasetJson)
  }

  async create(input: CreateDatasetInput, owner: Principal): Promise<DatasetRow> {
    if (input.rows !== undefined && input.csv !== undefined)
      throw invalid('Send inline data as rows or as csv, not both', [
        { path: 'body.csv', message: 'not allowed together with rows' },
      ])
    const feed = this.inlineFeed(input)
    const insert = (tx: Executor) =>
      this.queries.insert(tx, { name: input.name, description: input.description ?? '', ownerId: owner.keyId })
    if (!feed) return this.db.transaction(insert)
    return this.writeSlots.run(owner, () =>
      this.db.transaction(async tx => this.writeData(tx, (await insert(tx)).id, feed, owner)),
    )
  }

  async replace(id: string, input: { name: string; description?: string }, viewer: Principal): Promise<DatasetRow> {
    return this.patch(id, { name: input.name, description: input.description ?? '' }, viewer)
  }

  async patch(id: string, input: PatchDatasetInput, viewer: Principal): Promise<DatasetRow> {
    // A patch that names no field changes nothing (as in a JSON merge patch), updated_at included.
    if (input.name === undefined && input.description === undefined) return this.get(id, viewer)
    const row = isUuid(id) ? await this.queries.update(id, visibleOwner(viewer), input) : null
    if (!row) throw notFound('dataset')
    return row
  }

  /** Deletes a dataset with its data and tasks; see TaskService.removeDataset, which stops the tasks first. */
  async remove(id: string, viewer: Principal): Promise<void> {
    if (!isUuid(id) || !(await this.queries.remove(id, visibleOwner(viewer)))) throw notFound('dataset')
  }

  async rows(id: string, offset: number, limit: number, viewer: Principal): Promise<RowsPage> {
    const dataset = await this.get(id, viewer)
    const end = Math.min(offset + limit, dataset.rowCount)
    const data: Record<string, JsonCell>[] = []
    if (offset < end) {
      const chunks = await readRowRange(this.db, dataset.id, dataset.version, offset, end)
      for (const chunk of chunks) {
        const readers = dataset.columns.map((column, c) => cellReader(chunk.columns.get(c), column.type))
        const from = Math.max(offset, chunk.rowStart) - chunk.rowStart
        const to = Math.min(end, chunk.rowStart + chunk.rowCount) - chunk.rowStart
        for (let i = from; i < to; i++)
          // fromEntries defines each key: a column named __proto__ is a key like the others, where
          // assigning it would set the record's prototype and lose the cell.
          data.push(Object.fromEntries(dataset.columns.map((column, c) => [column.name, readers[c]!(i)])))
      }
    }
    return { data, offset, limit, total: dataset.rowCount }
  }

  /**
   * Stores a new data version in the caller's transaction and makes it current; until the
   * transaction commits nobody sees any of it, so a failed upload leaves the old data as it was.
   * What `writer` stores counts against its storage quota, chunk by chunk.
   */
  async writeData(tx: Executor, datasetId: string, { source, feed }: DataFeed, writer: Principal): Promise<DatasetRow> {
    const limit = quotaOf(writer, this.options.maxStorageBytesPerKey)
    const quota = limit && new QuotaCheck(tx, limit, datasetId)
    const version = await openVersion(tx, datasetId)
    // One chunk is stored while the next is parsed: PostgreSQL works on its own core meanwhile.
    let storing: Promise<void> = Promise.resolve()
    const builder = new TableBuilder(source, this.options.chunkRows, this.options.limits, async chunk => {
      await storing
      await quota?.add(chunk.bytes.byteLength)
      collectGarbageIfGrown()
      storing = insertChunk(tx, datasetId, version, chunk)
      storing.catch(() => {})
    })
    let summary: TableSummary
    try {
      summary = await feed(builder)
    } finally {
      // Nothing may still be running on the transaction when it commits or rolls back.
      await storing.catch(() => {})
    }
    await storing
    await quota?.settle()
    await finishVersion(tx, datasetId, version, summary)
    const row = await this.queries.setData(tx, datasetId, version, summary)
    if (!row) throw notFound('dataset')
    await pruneDataVersions(tx, datasetId)
    return row
  }

  /** Replaces a dataset's data; the previous data stays in place until the new data is complete. */
  async replaceData(id: string, feed: DataFeed, viewer: Principal): Promise<DatasetRow> {
    const dataset = await this.get(id, viewer)
    return this.writeSlots.run(viewer, () => this.db.transaction(tx => this.writeData(tx, dataset.id, feed, viewer)))
  }

  /**
   * Creates a dataset from an upload whose name and description may arrive after the data (a
   * multipart form can send its fields in any order); `metadata` is awaited once the data is in.
   */
  async createWithData(
    feed: DataFeed,
    metadata: () => Promise<DatasetMetadata>,
    owner: Principal,
  ): Promise<DatasetRow> {
    return this.writeSlots.run(owner, () =>
      this.db.transaction(async tx => {
        const dataset = await this.queries.insert(tx, { name: '', description: '', ownerId: owner.keyId })
        await this.writeData(tx, dataset.id, feed, owner)
        const { name, description = '' } = await metadata()
        const row = await this.queries.update(dataset.id, null, { name, description }, tx)
        return row!
      }),
    )
  }

  /** The dataset and its stored chunks in order, each read and decoded only when the consumer asks for it. */
  async dataChunks(
    id: string,
    viewer: Principal,
  ): Promise<{ dataset: DatasetRow; chunks: AsyncGenerator<StoredChunk> }> {
    const dataset = await this.get(id, viewer)
    if (dataset.status !== 'ready') throw conflict('DATASET_EMPTY', 'The dataset has no data to export yet')
    return { dataset, chunks: this.chunksOneByOne(dataset) }
  }

  /**
   * One chunk per query: a chunk travels from PostgreSQL (postgres.js) as hex text twice its
   * size, so reading several at once made a download's memory peak 100 MB higher.
   */
  private async *chunksOneByOne(dataset: DatasetRow): AsyncGenerator<StoredChunk> {
    for (let row = 0; row < dataset.rowCount; ) {
      const [chunk] = await readRowRange(this.db, dataset.id, dataset.version, row, row + 1)
      if (!chunk) throw new Error(`data version ${dataset.version} of ${dataset.id} lacks the chunk holding row ${row}`)
      yield chunk
      row = chunk.rowStart + chunk.rowCount
    }
  }

  private inlineFeed(input: CreateDatasetInput): DataFeed | null {
    const { rows, csv } = input
    if (rows !== undefined)
      return { source: 'json', feed: builder => ingestJsonRecords(builder, rows, i => `body.rows.${i}`) }
    if (csv !== undefined) return textFeed('csv', [csv], () => 'body.csv')
    return null
  }
}
