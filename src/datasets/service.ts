import type { Database, Executor } from '../db/client'
import type { DatasetRow } from '../db/schema'
import { decodeCursor, isUuid, type Page, toPage } from '../http/pagination'
import { invalid, notFound } from '../http/problem'
import { cellReader } from '../storage/cell-values'
import { finishVersion, insertChunk, openVersion, pruneDataVersions, readRowRange } from '../storage/chunk-store'
import type { JsonCell } from './ingest/cells'
import { CsvReader } from './ingest/csv-reader'
import { ingestJsonRecords } from './ingest/json-records'
import { type IngestLimits, TableBuilder, type TableSummary } from './ingest/table-builder'
import { createDatasetQueries, type DatasetQueries } from './queries'
import type { CreateDatasetInput, PatchDatasetInput } from './schemas'

export type DatasetJson = {
  id: string
  name: string
  description: string
  status: 'empty' | 'ready'
  row_count: number
  columns: DatasetRow['columns']
  size_bytes: number
  created_at: string
  updated_at: string
}

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

export type DatasetServiceOptions = { limits: IngestLimits; chunkRows: number }

/** Feeds a table builder from one source and returns what was stored. */
export type DataFeed = { source: 'text' | 'json'; feed: (builder: TableBuilder) => Promise<TableSummary> }

export class DatasetService {
  readonly queries: DatasetQueries

  constructor(
    private readonly db: Database,
    private readonly options: DatasetServiceOptions,
  ) {
    this.queries = createDatasetQueries(db)
  }

  async get(id: string): Promise<DatasetRow> {
    const row = isUuid(id) ? await this.queries.find(id) : null
    if (!row) throw notFound('dataset')
    return row
  }

  async list(query: { q?: string; limit: number; cursor?: string }): Promise<Page<DatasetJson>> {
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor)
    const rows = await this.queries.list({ q: query.q, limit: query.limit, cursor })
    return toPage(rows, query.limit, toDatasetJson)
  }

  async create(input: CreateDatasetInput): Promise<DatasetRow> {
    if (input.rows !== undefined && input.csv !== undefined)
      throw invalid('Send inline data as rows or as csv, not both', [
        { path: 'body.csv', message: 'not allowed together with rows' },
      ])
    const feed = this.inlineFeed(input)
    return this.db.transaction(async tx => {
      const dataset = await this.queries.insert(tx, { name: input.name, description: input.description ?? '' })
      return feed ? this.writeData(tx, dataset.id, feed) : dataset
    })
  }

  async replace(id: string, input: { name: string; description?: string }): Promise<DatasetRow> {
    return this.patch(id, { name: input.name, description: input.description ?? '' })
  }

  async patch(id: string, input: PatchDatasetInput): Promise<DatasetRow> {
    const row = isUuid(id) ? await this.queries.update(id, input) : null
    if (!row) throw notFound('dataset')
    return row
  }

  async remove(id: string): Promise<void> {
    if (!isUuid(id) || !(await this.queries.remove(id))) throw notFound('dataset')
  }

  async rows(id: string, offset: number, limit: number): Promise<RowsPage> {
    const dataset = await this.get(id)
    const end = Math.min(offset + limit, dataset.rowCount)
    const data: Record<string, JsonCell>[] = []
    if (offset < end) {
      const chunks = await readRowRange(this.db, dataset.id, dataset.version, offset, end)
      for (const chunk of chunks) {
        const readers = dataset.columns.map((column, c) => cellReader(chunk.columns.get(c), column.type))
        const from = Math.max(offset, chunk.rowStart) - chunk.rowStart
        const to = Math.min(end, chunk.rowStart + chunk.rowCount) - chunk.rowStart
        for (let i = from; i < to; i++) {
          const record: Record<string, JsonCell> = {}
          dataset.columns.forEach((column, c) => {
            record[column.name] = readers[c]!(i)
          })
          data.push(record)
        }
      }
    }
    return { data, offset, limit, total: dataset.rowCount }
  }

  /**
   * Stores a new data version in the caller's transaction and makes it current; until the
   * transaction commits nobody sees any of it, so a failed upload leaves the old data as it was.
   */
  async writeData(tx: Executor, datasetId: string, { source, feed }: DataFeed): Promise<DatasetRow> {
    const version = await openVersion(tx, datasetId)
    const builder = new TableBuilder(source, this.options.chunkRows, this.options.limits, chunk =>
      insertChunk(tx, datasetId, version, chunk),
    )
    const summary = await feed(builder)
    await finishVersion(tx, datasetId, version, summary)
    const row = await this.queries.setData(tx, datasetId, version, summary)
    if (!row) throw notFound('dataset')
    await pruneDataVersions(tx, datasetId)
    return row
  }

  private inlineFeed(input: CreateDatasetInput): DataFeed | null {
    const { rows, csv } = input
    if (rows !== undefined)
      return { source: 'json', feed: builder => ingestJsonRecords(builder, rows, i => `body.rows.${i}`) }
    if (csv !== undefined) {
      const limits = this.options.limits
      return {
        source: 'text',
        feed: async builder => {
          const reader = new CsvReader(builder, limits.cellBytes * limits.columns)
          await reader.push(csv)
          return reader.end()
        },
      }
    }
    return null
  }
}
