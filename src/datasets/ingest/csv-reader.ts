import Papa from 'papaparse'
import { invalid, ProblemError } from '../../http/problem'
import { restoreFormula } from '../csv-formulas'
import { limitExceeded, RecordError, type TableBuilder, type TableSummary } from './table-builder'

const PARSE_OPTIONS = { delimiter: ',', skipEmptyLines: true } as const
const QUOTE = 34
const APOSTROPHE = 39
const NEWLINE = 10

/** Undoes the formula neutralisation of our CSV export (see csv-formulas). */
function restoreFormulas(cells: string[]): string[] {
  for (let i = 0; i < cells.length; i++)
    if (cells[i]!.charCodeAt(0) === APOSTROPHE) cells[i] = restoreFormula(cells[i]!)
  return cells
}

function countNewlines(text: string, end = text.length): number {
  let count = 0
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) count++
  return count
}

/**
 * Feeds CSV text (RFC 4180, header row first) into a table builder as it arrives. Text is cut
 * at the last record boundary outside quotes, so the parser only ever sees whole records and
 * a quoted field may hold newlines; papaparse does the field-level parsing.
 */
export class CsvReader {
  private carry = ''
  private inQuotes = false
  private firstLine = 1
  private headerSeen = false
  private started = false

  constructor(
    private readonly builder: TableBuilder,
    private readonly maxRecordChars: number,
  ) {}

  async push(text: string): Promise<void> {
    if (!this.started) {
      this.started = true
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    }
    const boundary = this.lastRecordBoundary(text)
    if (boundary === -1) {
      this.carry += text
      if (this.carry.length > this.maxRecordChars)
        throw limitExceeded(`line ${this.firstLine}: a record longer than ${this.maxRecordChars} characters`)
      return
    }
    const complete = this.carry + text.slice(0, boundary + 1)
    this.carry = text.slice(boundary + 1)
    await this.parse(complete)
  }

  async end(): Promise<TableSummary> {
    if (this.carry.length > 0) await this.parse(this.carry)
    this.carry = ''
    if (!this.headerSeen) throw new ProblemError(422, 'EMPTY_DATASET', 'The CSV is empty: a header row is required')
    const summary = await this.builder.finish()
    if (summary.rowCount === 0)
      throw new ProblemError(422, 'EMPTY_DATASET', 'The CSV has a header row but no data rows')
    return summary
  }

  /** Index of the last newline in `text` that ends a record, given the quote state so far. */
  private lastRecordBoundary(text: string): number {
    if (!this.inQuotes && text.indexOf('"') === -1) return text.lastIndexOf('\n')
    let boundary = -1
    let inQuotes = this.inQuotes
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (c === QUOTE) inQuotes = !inQuotes
      else if (c === NEWLINE && !inQuotes) boundary = i
    }
    this.inQuotes = inQuotes
    return boundary
  }

  private async parse(text: string): Promise<void> {
    const firstLine = this.firstLine
    this.firstLine += countNewlines(text)
    const parsed = Papa.parse<string[]>(text, PARSE_OPTIONS)
    const quoteError = parsed.errors.find(e => e.type === 'Quotes')
    if (quoteError) {
      const index = quoteError.index ?? 0
      const line = firstLine + countNewlines(text, index)
      throw invalid(
        `line ${line}: ${quoteError.message.toLowerCase()}`,
        [{ path: `line ${line}`, message: quoteError.message, line }],
        'CSV_PARSE_ERROR',
      )
    }
    let rows = parsed.data
    if (!this.headerSeen) {
      const header = rows[0]
      if (!header) return
      this.headerSeen = true
      this.builder.setColumns(restoreFormulas(header))
      rows = rows.slice(1)
    }
    const offset = parsed.data.length - rows.length
    for (let r = 0; r < rows.length; r++) {
      try {
        await this.builder.addRow(restoreFormulas(rows[r]!))
      } catch (error) {
        if (!(error instanceof RecordError)) throw error
        const line = firstLine + lineOffsetOfRecord(text, offset + r)
        const where = error.column === undefined ? `line ${line}` : `line ${line}, column ${error.column}`
        throw new ProblemError(422, error.code, `${where}: ${error.message}`, [
          {
            path: where,
            message: error.message,
            line,
            ...(error.column === undefined ? {} : { column: error.column }),
          },
        ])
      }
    }
  }
}

/** Newlines before the start of the n-th (0-based, blank lines skipped) record of `text`. */
function lineOffsetOfRecord(text: string, n: number): number {
  let start = 0
  let seen = 0
  Papa.parse<string[]>(text, {
    ...PARSE_OPTIONS,
    step: (_row, parser) => {
      if (seen === n) return parser.abort()
      seen++
      start = _row.meta.cursor
    },
  })
  // The cursor sits after the previous record's newline; skip blank lines up to this one.
  while (start < text.length && (text[start] === '\n' || text[start] === '\r')) start++
  return countNewlines(text, start)
}
