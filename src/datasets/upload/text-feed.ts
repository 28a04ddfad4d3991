import type { DataFeed } from '../data-feed'
import { CsvReader } from '../ingest/csv-reader'
import { JsonArrayReader } from '../ingest/json-array-reader'
import { NdjsonReader } from '../ingest/ndjson-reader'
import type { TableBuilder, TableSummary } from '../ingest/table-builder'
import type { UploadFormat } from './formats'

type Reader = { push(text: string): Promise<void>; end(): Promise<TableSummary> }

function readerFor(format: UploadFormat, builder: TableBuilder, path: (i: number) => string): Reader {
  switch (format) {
    case 'csv':
      return new CsvReader(builder)
    case 'ndjson':
      return new NdjsonReader(builder)
    case 'json':
      return new JsonArrayReader(builder, path)
  }
}

/**
 * Feeds uploaded text of one format into a table builder piece by piece as it arrives: the
 * next piece is read only after the previous one has been parsed (and its full chunks
 * stored), which is what paces the client. The readers take their limits from the builder.
 */
export function textFeed(
  format: UploadFormat,
  text: AsyncIterable<string> | Iterable<string>,
  path: (index: number) => string,
): DataFeed {
  return {
    source: format === 'csv' ? 'text' : 'json',
    async feed(builder) {
      const reader = readerFor(format, builder, path)
      for await (const piece of text) await reader.push(piece)
      return reader.end()
    },
  }
}
