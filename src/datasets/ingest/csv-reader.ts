import { type FieldError, invalid, ProblemError } from '../../http/problem'
import { restoreFormula } from '../csv-formulas'
import { CarriedText, utf8Bytes } from './carried-text'
import { CellKind } from './cells'
import { recordTooLong } from './record-limit'
import type { TableBuilder, TableSummary } from './table-builder'
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

const AFTER_QUOTE = 'text after the closing quote of a field; a quoted field must end at a comma or a line break'

const unescapeQuotes = (raw: string, how: number) => (how & CellText.Escaped ? raw.replaceAll('""', '"') : raw)

/** Where the scanner is. Every state can be left at the end of a piece and taken up with the next. */
const State = {
  /** Between records, where blank lines are skipped. */
  Between: 0,
  /** Between records, just after a CR that ended the last piece (the first half of a CRLF?). */
  BetweenReturn: 1,
  /** At the start of a field. */
  FieldStart: 2,
  /** In a field without quotes. */
  Bare: 3,
  /** In a quoted field. */
  Quoted: 4,
  /** Just after a quote in a quoted field: its closing quote, or the first of a doubled one. */
  QuoteSeen: 5,
  /** After a closing quote, where spaces and tabs may come before the comma or line end. */
  AfterQuote: 6,
  /** After a closing quote and a CR that ended the last piece. */
  AfterQuoteReturn: 7,
} as const
type State = (typeof State)[keyof typeof State]

/**
 * Reads CSV (RFC 4180: quoted fields with doubled quotes, commas and line breaks inside quotes,
 * CRLF or LF line ends, a header row first) as it arrives, and feeds it to a table builder a
 * chunk at a time. A hand-written scanner walks the characters once, and a piece of input is
 * scanned from where the last one stopped: its state (in a quoted field, after a CR...) is
 * kept across pieces, never found again by scanning the record from its start. Fields are
 * located as they are scanned and typed when their record ends, numbers read straight from
 * the text; only cells that end up in string columns are ever cut out as strings (see
 * TextChunk). A record that goes on past its piece is carried (CarriedText) and joined once,
 * when it ends.
 *
 * Every limit is enforced as soon as it is passed, not when the record ends: a cell over
 * MAX_CELL_BYTES, a record over MAX_RECORD_BYTES and a header of more than MAX_COLUMNS fields
 * are refused at the piece that passes them, so what a record costs is bounded by the limits
 * whatever its length. Blank lines are skipped; every error names the line (and column) where
 * the bad record starts.
 */
export class CsvReader {
  private state: State = State.Between
  /** The line the next record starts on (while between records). */
  private line = 1
  private chunk: TextChunk | null = null
  private header: string[] = []
  private width = 0
  private records = 0
  private started = false
  /** Whether the piece being scanned is already the chunk's last piece of text. */
  private pieceInChunk = false
  private readonly columns: number
  private readonly cellBytes: number
  private readonly recordBytes: number

  // The record being read. Its offsets count from its first character: `origin` is the offset
  // of the current piece's first character (negative when the record started inside it). It
  // is negated as 0 - x, never -x: -0 is a double, and offsets that JSC once sees as doubles
  // make every charCodeAt on them a slow call (the scanner ran at half speed).
  private recordLine = 0
  /** Line breaks inside its quoted fields so far. */
  private recordLines = 0
  private origin = 0
  /** Its text in earlier pieces. */
  private readonly carried = new CarriedText()
  /** Its fields so far (the first `width` of a data row): offsets and CellText flags. */
  private fieldIndex = 0
  private readonly starts: Int32Array
  private readonly ends: Int32Array
  private readonly hows: Uint8Array

  // The field being read.
  private fieldStart = 0
  private how = 0
  /** Doubled quotes in it. */
  private quotes = 0
  /** Bytes of it in earlier pieces. */
  private fieldCarriedBytes = 0
  /** QuoteSeen: the offset of the quote. */
  private quoteAt = 0
  /** The line a quoted field opens on. */
  private quoteLine = 0

  constructor(private readonly builder: TableBuilder) {
    this.columns = builder.limits.columns
    this.cellBytes = builder.limits.cellBytes
    this.recordBytes = builder.limits.recordBytes
    this.starts = new Int32Array(this.columns)
    this.ends = new Int32Array(this.columns)
    this.hows = new Uint8Array(this.columns)
  }

  async push(text: string): Promise<void> {
    if (!this.started) {
      this.started = true
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    }
    this.pieceInChunk = false
    for (let i = 0; i < text.length; ) {
      i = this.scan(text, i)
      if (this.chunk?.full) await this.flush()
    }
    this.carryPiece(text)
  }

  async end(): Promise<TableSummary> {
    this.endInput()
    if (!this.chunk) throw new ProblemError(422, 'EMPTY_DATASET', 'The CSV is empty: a header row is required')
    if (this.chunk.rows > 0) await this.flush()
    const summary = await this.builder.finish()
    if (summary.rowCount === 0)
      throw new ProblemError(422, 'EMPTY_DATASET', 'The CSV has a header row but no data rows')
    return summary
  }

  private async flush(): Promise<void> {
    const { rows, columns } = this.chunk!.take()
    this.pieceInChunk = false
    await this.builder.addChunk(rows, columns)
  }

  /**
   * Scans `text` from `i` on, until it ends or a record fills the chunk; answers where it
   * stopped. The inner loops are the same tight ones whatever the state: a bare field runs to
   * the next comma or LF, a quoted one jumps from quote to quote.
   */
  private scan(text: string, i: number): number {
    const n = text.length
    while (i < n) {
      switch (this.state) {
        case State.Between: {
          const c = text.charCodeAt(i)
          if (c === NEWLINE) {
            this.line++
            i++
            continue
          }
          if (c === RETURN) {
            if (i + 1 === n) {
              this.state = State.BetweenReturn
              return n
            }
            if (text.charCodeAt(i + 1) === NEWLINE) {
              this.line++
              i += 2
              continue
            }
          }
          this.beginRecord(0 - i)
          break
        }
        case State.BetweenReturn:
          if (text.charCodeAt(i) === NEWLINE) {
            this.line++
            i++
            this.state = State.Between
            continue
          }
          // A lone CR at the end of the last piece starts a record: its first field holds it.
          this.beginRecord(0)
          this.carried.add('\r')
          this.origin = 1
          this.beginField(0)
          this.fieldCarriedBytes = 1
          this.state = State.Bare
          break
        case State.FieldStart:
          if (text.charCodeAt(i) === QUOTE) {
            i++
            this.beginField(i + this.origin)
            this.quoteLine = this.recordLine + this.recordLines
            this.state = State.Quoted
          } else {
            this.beginField(i + this.origin)
            this.state = State.Bare
          }
          break
        case State.Bare: {
          let j = i
          let c = 0
          for (;;) {
            while (j < n) {
              c = text.charCodeAt(j)
              if (c === COMMA || c === NEWLINE) break
              j++
            }
            if (j === n || c !== COMMA) break
            this.endField(text, j + this.origin)
            this.nextField()
            j++
            // Bare fields one after another, the common case, stay in this loop.
            if (j === n || text.charCodeAt(j) === QUOTE) break
            this.beginField(j + this.origin)
            this.state = State.Bare
          }
          if (j === n) return n
          if (c === COMMA) {
            i = j
            break
          }
          let end = j + this.origin
          // The field ends the record at an LF; a CR before it is part of the line end.
          const before = j > 0 ? text.charCodeAt(j - 1) : this.carried.lastCode()
          if (end > this.fieldStart && before === RETURN) end--
          this.endField(text, end)
          this.endRecord(text, before === RETURN ? j - 1 : j, true)
          i = j + 1
          if (this.chunk?.full) return i
          break
        }
        case State.Quoted: {
          const close = text.indexOf('"', i)
          if (close === -1) {
            this.recordLines += countNewlines(text, i, n)
            return n
          }
          this.recordLines += countNewlines(text, i, close)
          this.quoteAt = close + this.origin
          this.state = State.QuoteSeen
          i = close + 1
          break
        }
        case State.QuoteSeen:
          if (text.charCodeAt(i) === QUOTE) {
            this.how |= CellText.Escaped
            this.quotes++
            this.state = State.Quoted
            i++
            break
          }
          this.endField(text, this.quoteAt)
          this.state = State.AfterQuote
          break
        case State.AfterQuote: {
          let c = text.charCodeAt(i)
          while (c === SPACE || c === TAB) {
            if (++i === n) return n
            c = text.charCodeAt(i)
          }
          if (c === COMMA) {
            this.nextField()
            i++
            break
          }
          if (c === RETURN && i + 1 === n) {
            this.state = State.AfterQuoteReturn
            return n
          }
          if (c !== NEWLINE && !(c === RETURN && text.charCodeAt(i + 1) === NEWLINE))
            throw quoteProblem(this.recordLine + this.recordLines, AFTER_QUOTE)
          this.endRecord(text, i, true)
          i += c === RETURN ? 2 : 1
          if (this.chunk?.full) return i
          break
        }
        case State.AfterQuoteReturn:
          if (text.charCodeAt(i) !== NEWLINE) throw quoteProblem(this.recordLine + this.recordLines, AFTER_QUOTE)
          // i is 0: the CR before it ended the last piece.
          this.endRecord(text, -1, true)
          i++
          if (this.chunk?.full) return i
          break
      }
    }
    return n
  }

  /** The input has ended: the record in progress ends with it. */
  private endInput(): void {
    const end = this.carried.chars
    // A CR at the very end is not part of the record.
    const cut = this.carried.lastCode() === RETURN ? -1 : 0
    switch (this.state) {
      case State.Between:
      case State.BetweenReturn:
        return
      case State.FieldStart:
        this.beginField(end)
        this.endField('', end)
        break
      case State.Bare:
        this.endField('', end > this.fieldStart ? end + cut : end)
        break
      case State.Quoted:
        throw quoteProblem(this.quoteLine, 'a quoted field is not closed')
      case State.QuoteSeen:
        this.endField('', this.quoteAt)
        break
    }
    this.endRecord('', this.state === State.Bare || this.state === State.AfterQuoteReturn ? cut : 0, false)
  }

  private beginRecord(origin: number): void {
    this.recordLine = this.line
    this.recordLines = 0
    this.fieldIndex = 0
    this.origin = origin
    this.state = State.FieldStart
  }

  private beginField(start: number): void {
    this.fieldStart = start
    this.how = CellText.Plain
    this.quotes = 0
    this.fieldCarriedBytes = 0
  }

  /** A comma: another field follows, one too many for a header that has its MAX_COLUMNS already. */
  private nextField(): void {
    if (!this.chunk && this.fieldIndex >= this.columns) {
      const message = `the header has more than ${this.columns} columns; the limit is ${this.columns}`
      throw recordProblem('LIMIT_EXCEEDED', message, this.recordLine, this.fieldIndex + 1)
    }
    this.state = State.FieldStart
  }

  /** The current field ends at `end`, an offset in the record; `text` is the current piece. */
  private endField(text: string, end: number): void {
    const f = this.fieldIndex++
    // Past its limit in characters, a record is past it in bytes too.
    if (end > this.recordBytes) throw this.recordTooLong()
    if (this.chunk && f >= this.width) return
    const start = this.fieldStart
    // A UTF-16 unit is at most 3 bytes: only a long field can be over the byte limit.
    if ((end - start - this.quotes) * 3 > this.cellBytes) {
      const bytes = this.fieldBytes(text, end) - this.quotes
      if (bytes > this.cellBytes) throw this.cellTooLong(f, `of ${bytes}`)
    }
    this.starts[f] = start
    this.ends[f] = end
    this.hows[f] = this.how
  }

  /** UTF-8 bytes of the current field's raw text up to `end`, doubled quotes counted twice. */
  private fieldBytes(text: string, end: number): number {
    const from = this.fieldStart - this.origin
    const to = end - this.origin
    if (from >= 0) return utf8Bytes(text, from, to)
    // The field started in an earlier piece, whose count runs to that piece's end. When the
    // field ended there (its closing quote was that piece's last character, to = -1), the
    // quote counted in it is taken off again.
    return this.fieldCarriedBytes + (to >= 0 ? utf8Bytes(text, 0, to) : to)
  }

  /**
   * The record read so far ends at `at` in `text`, before its line end (if `lineBreak`, else
   * the input ended); it is checked, and typed into the chunk or taken as the header. An
   * offset before the piece (-1) ends it before the last character carried.
   */
  private endRecord(text: string, at: number, lineBreak: boolean): void {
    const inPiece = this.origin <= 0
    if ((at + this.origin) * 3 > this.recordBytes) {
      const bytes = this.carried.bytes + utf8Bytes(text, inPiece ? 0 - this.origin : 0, at)
      if (bytes > this.recordBytes) throw this.recordTooLong()
    }
    // A record inside the piece is read where it lies; a longer one is joined from its parts.
    const source = inPiece ? text : this.carried.take(text.slice(0, Math.max(at, 0)))
    const shift = inPiece ? 0 - this.origin : 0
    if (this.chunk) this.endRow(source, shift, inPiece)
    else this.endHeader(source, shift)
    this.line += this.recordLines + (lineBreak ? 1 : 0)
    this.state = State.Between
    this.origin = 0
  }

  private endHeader(source: string, shift: number): void {
    const names: string[] = []
    for (let f = 0; f < this.fieldIndex; f++) {
      const a = this.starts[f]! + shift
      const b = this.ends[f]! + shift
      const how = this.hows[f]!
      const name = unescapeQuotes(source.slice(a, b), how)
      names.push(a < b && source.charCodeAt(a) === APOSTROPHE ? restoreFormula(name) : name)
    }
    this.builder.setColumns(names)
    this.header = names
    this.width = names.length
    this.chunk = new TextChunk(this.width, this.builder.rowsPerChunk(this.width))
  }

  private endRow(source: string, shift: number, inPiece: boolean): void {
    const chunk = this.chunk!
    const line = this.recordLine
    if (this.fieldIndex !== this.width)
      throw recordProblem('RAGGED_ROW', `expected ${this.width} fields, found ${this.fieldIndex}`, line)
    const maxRows = this.builder.limits.rows
    if (this.records >= maxRows) throw recordProblem('LIMIT_EXCEEDED', `more than ${maxRows} rows, the limit`, line)
    this.records++
    if (!inPiece || !this.pieceInChunk) chunk.addPiece(source)
    this.pieceInChunk = inPiece
    chunk.reserveRow()
    const r = chunk.rows
    for (let c = 0; c < this.width; c++) {
      const a = this.starts[c]! + shift
      const b = this.ends[c]! + shift
      let how = this.hows[c]!
      if (a < b && source.charCodeAt(a) === APOSTROPHE) how |= CellText.Restored
      chunk.starts[c]![r] = a
      chunk.ends[c]![r] = b
      chunk.texts[c]![r] = how
      chunk.kinds[c]![r] =
        how === CellText.Plain
          ? typeRange(source, a, b, chunk.values[c]!, r)
          : typeSpecial(source.slice(a, b), how, chunk.values[c]!, r)
    }
    chunk.endRow()
  }

  /**
   * The piece has been scanned to its end inside a record: what of the record it holds is
   * carried into the next, and the record and the field in progress are measured, so that one
   * past its limit is refused now rather than when it ends.
   */
  private carryPiece(text: string): void {
    const state = this.state
    if (state === State.Between || state === State.BetweenReturn) return
    const n = text.length
    // A CR that ends a bare field or follows a closing quote may be the first half of a line end.
    const lineEnd = (state === State.Bare || state === State.AfterQuoteReturn) && text.charCodeAt(n - 1) === RETURN
    const from = Math.max(0, 0 - this.origin)
    let bytes: number
    if (state === State.Bare || state === State.Quoted || state === State.QuoteSeen) {
      const fieldFrom = Math.max(from, this.fieldStart - this.origin)
      const fieldBytes = utf8Bytes(text, fieldFrom, n)
      this.fieldCarriedBytes += fieldBytes
      bytes = utf8Bytes(text, from, fieldFrom) + fieldBytes
      // So may a quote just seen be the field's closing one.
      const cell = this.fieldCarriedBytes - this.quotes - (state === State.QuoteSeen || lineEnd ? 1 : 0)
      const f = this.fieldIndex
      if (cell > this.cellBytes && (!this.chunk || f < this.width))
        throw this.cellTooLong(f, `of more than ${this.cellBytes}`)
    } else bytes = utf8Bytes(text, from, n)
    this.carried.add(text, from, n, bytes)
    if (this.carried.bytes - (lineEnd ? 1 : 0) > this.recordBytes) throw this.recordTooLong()
    this.origin = this.carried.chars
  }

  private recordTooLong(): ProblemError {
    return recordTooLong(`line ${this.recordLine}`, 'a record', this.recordBytes, { line: this.recordLine })
  }

  private cellTooLong(f: number, size: string): ProblemError {
    const what = this.chunk
      ? `a cell ${size} bytes in column ${JSON.stringify(this.header[f])}`
      : `a column name ${size} bytes`
    return recordProblem('LIMIT_EXCEEDED', `${what}; the limit is ${this.cellBytes}`, this.recordLine, f + 1)
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
