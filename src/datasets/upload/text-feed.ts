import type { DataFeed } from '../data-feed'
import { CsvReader } from '../ingest/csv-reader'
import { JsonArrayReader } from '../ingest/json-array-reader'
import { NdjsonReader } from '../ingest/ndjson-reader'
import type { IngestLimits, TableBuilder, TableSummary } from '../ingest/table-builder'
import type { UploadFormat } from './formats'

type Reader = { push(text: string): Promise<void>; end(): Promise<TableSummary> }

function readerFor(
  format: UploadFormat,
  builder: TableBuilder,
  limits: IngestLimits,
  path: (i: number) => string,
): Reader {
  // One record may hold every column at its largest cell; anything longer cannot be valid.
  const maxRecordChars = limits.cellBytes * limits.columns
  switch (format) {
    case 'csv':
      return new CsvReader(builder, maxRecordChars)
    case 'ndjson':
      return new NdjsonReader(builder, maxRecordChars)
    case 'json':
      return new JsonArrayReader(builder, maxRecordChars, path)
  }
}

/**
 * Feeds uploaded text of one format into a table builder piece by piece as it arrives: the
 * next piece is read only after the previous one has been parsed (and its full chunks
 * stored), which is what paces the client.
 */
export function textFeed(
  format: UploadFormat,
  text: AsyncIterable<string> | Iterable<string>,
  limits: IngestLimits,
  path: (index: number) => string,
): DataFeed {
  return {
    source: format === 'csv' ? 'text' : 'json',
    async feed(builder) {
      const reader = readerFor(format, builder, limits, path)
      for await (const piece of text) await reader.push(piece)
      return reader.end()
    },
  }
}
