import type { TableBuilder, TableSummary } from './ingest/table-builder'

/** Feeds a table builder from one source and returns what was stored. */
export type DataFeed = { source: 'text' | 'json'; feed: (builder: TableBuilder) => Promise<TableSummary> }
