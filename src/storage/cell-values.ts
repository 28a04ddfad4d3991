import type { ChunkColumn } from './chunk-codec'
import type { ColumnType, JsonCell } from './columns'

export type CellReader = (row: number) => JsonCell

const NULL_READER: CellReader = () => null

function formatFloat(type: 'integer' | 'number' | 'datetime', v: number): string {
  return type === 'datetime' ? new Date(v).toISOString() : String(v)
}

/**
 * Reads cells of one chunk column as the dataset's (possibly wider) column type presents them:
 * JSON numbers and booleans, datetimes as ISO 8601 UTC strings, and any value of a column that
 * was widened to `string` as its text.
 */
export function cellReader(column: ChunkColumn | undefined, target: ColumnType): CellReader {
  if (!column) return NULL_READER
  switch (column.type) {
    case 'integer':
    case 'number':
    case 'datetime': {
      const { values, type } = column
      if (target === 'string') return i => (Number.isNaN(values[i]!) ? null : formatFloat(type, values[i]!))
      if (type === 'datetime') return i => (Number.isNaN(values[i]!) ? null : new Date(values[i]!).toISOString())
      return i => (Number.isNaN(values[i]!) ? null : values[i]!)
    }
    case 'boolean': {
      const { values } = column
      if (target === 'string') return i => (values[i] === -1 ? null : values[i] === 1 ? 'true' : 'false')
      return i => (values[i] === -1 ? null : values[i] === 1)
    }
    case 'string': {
      const { codes, dictionary } = column
      return i => (codes[i] === -1 ? null : dictionary[codes[i]!]!)
    }
  }
}
