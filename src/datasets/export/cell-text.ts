import { cellReader } from '../../storage/cell-values'
import type { ChunkColumn } from '../../storage/chunk-codec'
import type { ColumnType } from '../../storage/columns'

/** Writes the cell of one row of a chunk column as output text. */
export type CellText = (row: number) => string

/** How one output format spells a value; `text` is given every string value once per chunk. */
export type CellSyntax = { null: string; text(value: string): string; number(value: number): string }

/** Shortest text that reads back as the same double, keeping the sign of zero. */
export const numberText = (v: number): string => (v === 0 && 1 / v < 0 ? '-0' : String(v))

const isoText = (v: number) => new Date(v).toISOString()

/**
 * The cells of one chunk column as text in one output format, with the dataset's (possibly
 * wider) type deciding how a value is shown. Dictionary strings are spelled once per chunk,
 * not once per row.
 */
export function cellText(column: ChunkColumn | undefined, type: ColumnType, syntax: CellSyntax): CellText {
  if (!column) return () => syntax.null
  if (column.type === 'string') {
    const { codes } = column
    const spelled = column.dictionary.map(s => syntax.text(s))
    return i => (codes[i] === -1 ? syntax.null : spelled[codes[i]!]!)
  }
  if (type === 'string') {
    const read = cellReader(column, 'string')
    return i => {
      const value = read(i)
      return value === null ? syntax.null : syntax.text(value as string)
    }
  }
  switch (column.type) {
    case 'integer':
    case 'number': {
      const { values } = column
      return i => (Number.isNaN(values[i]!) ? syntax.null : syntax.number(values[i]!))
    }
    case 'datetime': {
      const { values } = column
      return i => (Number.isNaN(values[i]!) ? syntax.null : syntax.text(isoText(values[i]!)))
    }
    case 'boolean': {
      const { values } = column
      return i => (values[i] === -1 ? syntax.null : values[i] === 1 ? 'true' : 'false')
    }
  }
}
