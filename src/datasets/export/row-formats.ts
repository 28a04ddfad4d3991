import type { Chunk } from '../../storage/chunk-codec'
import type { ColumnInfo } from '../../storage/columns'
import { neutraliseFormula } from '../csv-formulas'
import { type CellSyntax, type CellText, cellText, numberText } from './cell-text'

export type ExportFormat = 'csv' | 'ndjson'

/** Writes rows of a dataset in one text format: a header once, then rows chunk by chunk. */
export type RowFormat = {
  mediaType: string
  extension: string
  header: string
  /** The text of rows [from, to) of a chunk, each line ended. */
  rows(chunk: Chunk, from: number, to: number): string
}

const NEEDS_QUOTES = /[",\r\n]/

/** RFC 4180: a field holding a quote, comma or line break is quoted, its quotes doubled. */
export const csvField = (text: string) => (NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text)

/** Strings are neutralised against spreadsheet formulas here, in the output only. */
const CSV_SYNTAX: CellSyntax = { null: '', text: s => csvField(neutraliseFormula(s)), number: numberText }

const NDJSON_SYNTAX: CellSyntax = { null: 'null', text: s => JSON.stringify(s), number: numberText }

/** Per-chunk cell writers, built once per chunk and reused for every batch of its rows. */
function chunkCells(columns: readonly ColumnInfo[], syntax: CellSyntax) {
  let last: Chunk | null = null
  let cells: CellText[] = []
  return (chunk: Chunk): CellText[] => {
    if (chunk !== last) {
      last = chunk
      cells = columns.map((column, c) => cellText(chunk.columns.get(c), column.type, syntax))
    }
    return cells
  }
}

/** CSV with a header row and CRLF line ends (RFC 4180); nulls are empty cells. */
function csvFormat(columns: readonly ColumnInfo[]): RowFormat {
  const cellsOf = chunkCells(columns, CSV_SYNTAX)
  return {
    mediaType: 'text/csv; charset=utf-8',
    extension: 'csv',
    header: `${columns.map(c => CSV_SYNTAX.text(c.name)).join(',')}\r\n`,
    rows(chunk, from, to) {
      const cells = cellsOf(chunk)
      const width = cells.length
      let out = ''
      for (let i = from; i < to; i++) {
        out += cells[0]!(i)
        for (let c = 1; c < width; c++) out += `,${cells[c]!(i)}`
        out += '\r\n'
      }
      return out
    },
  }
}

/** One JSON object per line, keys in column order. */
function ndjsonFormat(columns: readonly ColumnInfo[]): RowFormat {
  const cellsOf = chunkCells(columns, NDJSON_SYNTAX)
  const keys = columns.map((c, i) => `${i === 0 ? '{' : ','}${JSON.stringify(c.name)}:`)
  return {
    mediaType: 'application/x-ndjson',
    extension: 'ndjson',
    header: '',
    rows(chunk, from, to) {
      const cells = cellsOf(chunk)
      const width = cells.length
      let out = ''
      for (let i = from; i < to; i++) {
        for (let c = 0; c < width; c++) out += keys[c]! + cells[c]!(i)
        out += '}\n'
      }
      return out
    },
  }
}

export function rowFormat(format: ExportFormat, columns: readonly ColumnInfo[]): RowFormat {
  return format === 'csv' ? csvFormat(columns) : ndjsonFormat(columns)
}
