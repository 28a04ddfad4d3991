import { type FieldError, invalid, ProblemError } from '../../http/problem'
import { restoreFormula } from '../csv-formulas'
import { CellKind } from './cells'
import { limitExceeded, type TableBuilder, type TableSummary } from './table-builder'
import { typeRange, typeText } from './text-cells'
import { CellText, TextChunk } from './text-chunk'

const QUOTE = 34
const COMMA = 44
const NEWLINE = 10
const RETURN = 13
const SPACE = 32
const TAB = 9
const APOSTROPHE = 39

/** A bad record, located by its line (and column where one is to blame). */
function recordProblem(code: string, message: string, line: number, column?: number): ProblemError {
  const where = column === undefined ? `line ${line}` : `line ${line}, column ${column}`
  const error: FieldError = { path: where, message, line, ...(column === undefined ? {} : { column }) }
  return new ProblemError(422, code, `${where}: ${message}`, [error])
}

const quoteProblem = (line: number, message: string) =>
  invalid(`line ${line}: ${message}`, [{ path: `line ${line}`, message, line }], 'CSV_PARSE_ERROR')

/** Thrown inside the scanner when a record may go on past the text there is so far. */
const INCOMPLETE = Symbol('incomplete record')

const unescapeQuotes = (raw: string, how: number) => (how & CellText.Escaped ? raw.replaceAll('""', '"') : raw)

/**
 * Reads CSV (RFC 4180: quoted fields with doubled quotes, commas and line breaks inside quotes,
 * CRLF or LF line ends, a header row first) as it arrives, and feeds it to a table builder a
 * chunk at a time. A hand-written scanner walks the characters once: each field is located and
 * typed on the spot, numbers read straight from the text, and only cells that end up in string
 * columns are ever cut out as strings (see TextChunk). Each piece of input is scanned up to its
 * last complete record; the unfinished one is carried into the next piece. Blank lines are
 * skipped; every error names the line (and column) where the bad record starts.
 */
export class CsvReader {
  private carry = ''
  /** The line the carried text starts on. */
  private line = 1
  private chunk: TextChunk | null = null
  private header: string[] = []
  private width = 0
  private records = 0
  private started = false
  // The record being scanned.
  private fieldIndex = 0
  private recordLine = 0
  private recordLines = 0

  constructor(
    private readonly builder: TableBuilder,
    private readonly maxRecordChars: number,
  ) {}

  async push(text: string): Promise<void> {
    if (!this.started) {
      this.started = true
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    }
    await this.scan(this.carry + text, false)
    if (this.carry.length > this.maxRecordChars)
      throw limitExceeded(`line ${this.line}: a record longer than ${this.maxRecordChars} characters`)
  }

  async end(): Promise<TableSummary> {
    if (this.carry.length > 0) await this.scan(this.carry, true)
    if (!this.chunk) throw new ProblemError(422, 'EMPTY_DATASET', 'The CSV is empty: a header row is required')
    if (this.chunk.rows > 0) await this.flush()
    const summary = await this.builder.finish()
    if (summary.rowCount === 0)
      throw new ProblemError(422, 'EMPTY_DATASET', 'The CSV has a header row but no data rows')
    return summary
  }

  /** Scans the complete records of `text`; what is left becomes the carry. */
  private async scan(text: string, final: boolean): Promise<void> {
    this.chunk?.addPiece(text)
    const n = text.length
    let i = 0
    while (i < n) {
      const c = text.charCodeAt(i)
      // Blank lines are skipped; a CR at the very end may be the first half of a CRLF.
      if (c === NEWLINE) {
        this.line++
        i++
        continue
      }
      if (c === RETURN) {
        if (i + 1 === n) {
          if (!final) break
          i++
          continue
        }
        if (text.charCodeAt(i + 1) === NEWLINE) {
          this.line++
          i += 2
          continue
        }
      }
      try {
        i = this.scanRecord(text, i, final)
      } catch (error) {
        if (error !== INCOMPLETE) throw error
        break
      }
      if (this.chunk?.full) await this.flush()
    }
    this.carry = i < n ? text.slice(i) : ''
  }

  private async flush(): Promise<void> {
    const { rows, columns } = this.chunk!.take()
    await this.builder.addChunk(rows, columns)
  }

  /** One record: the header while there is none, then data rows. Returns where the next record starts. */
  private scanRecord(text: string, start: number, final: boolean): number {
    this.fieldIndex = 0
    this.recordLine = this.line
    if (!this.chunk) this.header = []
    const end = this.scanFields(text, start, final)
    if (this.chunk) this.endRow()
    else this.endHeader(text)
    this.line += this.recordLines
    return end
  }

  private endHeader(text: string): void {
    this.builder.setColumns(this.header)
    this.width = this.header.length
    this.chunk = new TextChunk(this.width, this.builder.rowsPerChunk(this.width))
    this.chunk.addPiece(text)
  }

  private endRow(): void {
    const chunk = this.chunk!
    const line = this.recordLine
    if (this.fieldIndex !== this.width)
      throw recordProblem('RAGGED_ROW', `expected ${this.width} fields, found ${this.fieldIndex}`, line)
    const maxRows = this.builder.limits.rows
    if (this.records >= maxRows) throw recordProblem('LIMIT_EXCEEDED', `more than ${maxRows} rows, the limit`, line)
    this.records++
    chunk.endRow()
  }

  /** One field of the current record: a column name, or a cell typed into the chunk. */
  private field(text: string, a: number, b: number, how: number): void {
    const c = this.fieldIndex++
    if (!this.chunk) {
      const name = unescapeQuotes(text.slice(a, b), how)
      this.header.push(how & CellText.Restored ? restoreFormula(name) : name)
      return
    }
    if (c >= this.width) return
    const chunk = this.chunk
    const r = chunk.rows
    if (c === 0) chunk.reserveRow()
    const cellBytes = this.builder.limits.cellBytes
    if ((b - a) * 3 > cellBytes) this.checkCellBytes(unescapeQuotes(text.slice(a, b), how), c)
    chunk.starts[c]![r] = a
    chunk.ends[c]![r] = b
    chunk.texts[c]![r] = how
    chunk.kinds[c]![r] =
      how === CellText.Plain
        ? typeRange(text, a, b, chunk.values[c]!, r)
        : typeSpecial(text.slice(a, b), how, chunk.values[c]!, r)
  }

  private checkCellBytes(cell: string, c: number): void {
    const bytes = Buffer.byteLength(cell)
    const limit = this.builder.limits.cellBytes
    if (bytes > limit) {
      const name = JSON.stringify(this.header[c])
      const message = `a cell of ${bytes} bytes in column ${name}; the limit is ${limit}`
      throw recordProblem('LIMIT_EXCEEDED', message, this.recordLine, c + 1)
    }
  }

  /**
   * Walks the fields of the record starting at `start`, and answers where the next record
   * starts (`recordLines` counts the line breaks it spans). Throws INCOMPLETE when the record
   * may go on past the end of `text` (unless this is the final text).
   */
  private scanFields(text: string, start: number, final: boolean): number {
    const n = text.length
    let lines = 0
    let i = start
    for (;;) {
      if (text.charCodeAt(i) === QUOTE) {
        const open = i
        let how: number = text.charCodeAt(open + 1) === APOSTROPHE ? CellText.Restored : CellText.Plain
        let close = i + 1
        for (;;) {
          close = text.indexOf('"', close)
          if (close === -1) {
            if (!final) throw INCOMPLETE
            throw quoteProblem(this.recordLine + lines, 'a quoted field is not closed')
          }
          if (close + 1 === n && !final) throw INCOMPLETE
          if (text.charCodeAt(close + 1) !== QUOTE) break
          how |= CellText.Escaped
          close += 2
        }
        lines += countNewlines(text, open, close)
        this.field(text, open + 1, close, how)
        i = close + 1
        while (i < n && (text.charCodeAt(i) === SPACE || text.charCodeAt(i) === TAB)) i++
        if (i === n) {
          if (!final) throw INCOMPLETE
          this.recordLines = lines
          return n
        }
        const c = text.charCodeAt(i)
        if (c === COMMA) {
          i++
          continue
        }
        if (c === RETURN && i + 1 === n && !final) throw INCOMPLETE
        if (c === NEWLINE || (c === RETURN && text.charCodeAt(i + 1) === NEWLINE)) {
          this.recordLines = lines + 1
          return c === NEWLINE ? i + 1 : i + 2
        }
        throw quoteProblem(
          this.recordLine + lines,
          'text after the closing quote of a field; a quoted field must end at a comma or a line break',
        )
      }
      let j = i
      let c = 0
      while (j < n) {
        c = text.charCodeAt(j)
        if (c === COMMA || c === NEWLINE) break
        j++
      }
      if (j === n && !final) throw INCOMPLETE
      const how = text.charCodeAt(i) === APOSTROPHE ? CellText.Restored : CellText.Plain
      if (j < n && c === COMMA) {
        this.field(text, i, j, how)
        i = j + 1
        continue
      }
      // The field ends the record: at a line break (its CR dropped) or at the end of the text.
      this.field(text, i, j > i && text.charCodeAt(j - 1) === RETURN ? j - 1 : j, how)
      this.recordLines = j === n ? lines : lines + 1
      return j === n ? n : j + 1
    }
  }
}

/** Types a cell whose text is not the characters it spans: doubled quotes, or an export's apostrophe. */
function typeSpecial(raw: string, how: number, values: Float64Array, r: number): CellKind {
  const text = unescapeQuotes(raw, how)
  if (how & CellText.Restored) return typeText(restoreFormula(text), values, r)
  // Text that holds a quote is a string whatever else it holds.
  values[r] = Number.NaN
  return CellKind.String
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) count++
  return count
}
