import { ProblemError } from '../../http/problem'
import { CarriedText, utf8Bytes } from './carried-text'
import { parseJsonExact } from './exact-json'
import { asRecord, emptyDataset, recordProblem } from './json-records'
import { recordTooLong } from './record-limit'
import { RecordError, type TableBuilder, type TableSummary } from './table-builder'

const OPEN_BRACE = 123
const CLOSE_BRACE = 125
const OPEN_BRACKET = 91
const CLOSE_BRACKET = 93
const QUOTE = 34
const BACKSLASH = 92
const COMMA = 44

const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9

/** Where the scanner is: before `[`, before an element, inside one, after one, after `]`. */
const Phase = { Start: 0, BeforeElement: 1, InElement: 2, AfterElement: 3, Done: 4 } as const
type Phase = (typeof Phase)[keyof typeof Phase]

const syntaxError = (path: string, message: string) =>
  new ProblemError(422, 'INVALID_JSON', `${path}: ${message}`, [{ path, message }])

/**
 * Feeds a JSON array of objects into a table builder as it arrives. A small scanner finds where
 * each top-level element starts and ends (strings and escapes included) and JSON.parse reads
 * that element alone, so memory holds one element at a time; one that goes on past its piece
 * is carried, and refused as soon as it passes MAX_RECORD_BYTES, before any of it is parsed.
 * Elements are flat records: a nested object or array is refused as soon as it opens, which
 * also keeps a hostile nesting depth from reaching the parser. Errors name the element by its
 * index.
 */
export class JsonArrayReader {
  private phase: Phase = Phase.Start
  private readonly carried = new CarriedText()
  private readonly recordBytes: number
  private inString = false
  private escaped = false
  private index = 0
  private afterComma = false

  constructor(
    private readonly builder: TableBuilder,
    private readonly path: (index: number) => string,
  ) {
    this.recordBytes = builder.limits.recordBytes
  }

  async push(text: string): Promise<void> {
    let start = 0
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      switch (this.phase) {
        case Phase.InElement:
          if (this.inString) {
            if (this.escaped) this.escaped = false
            else if (c === BACKSLASH) this.escaped = true
            else if (c === QUOTE) this.inString = false
          } else if (c === QUOTE) this.inString = true
          else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
            throw syntaxError(
              this.path(this.index),
              'a cell must be a string, number, boolean or null, not a nested value',
            )
          } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
            this.phase = Phase.AfterElement
            await this.addElement(text, start, i + 1)
          }
          break
        case Phase.Start:
          if (c === OPEN_BRACKET) this.phase = Phase.BeforeElement
          else if (!isSpace(c)) throw syntaxError('body', 'expected a JSON array of objects')
          break
        case Phase.BeforeElement:
          if (c === OPEN_BRACE) {
            this.phase = Phase.InElement
            start = i
          } else if (c === CLOSE_BRACKET && !this.afterComma) this.phase = Phase.Done
          else if (!isSpace(c)) throw syntaxError(this.path(this.index), 'expected an object')
          break
        case Phase.AfterElement:
          if (c === COMMA) {
            this.phase = Phase.BeforeElement
            this.afterComma = true
          } else if (c === CLOSE_BRACKET) this.phase = Phase.Done
          else if (!isSpace(c)) throw syntaxError(this.path(this.index), 'expected , or ] after the element')
          break
        case Phase.Done:
          if (!isSpace(c)) throw syntaxError('body', 'unexpected text after the end of the array')
      }
    }
    if (this.phase === Phase.InElement) {
      this.carried.add(text, start)
      if (this.carried.bytes > this.recordBytes) throw this.tooLong()
    }
  }

  async end(): Promise<TableSummary> {
    if (this.phase === Phase.Start) throw emptyDataset('The body is empty: send a JSON array of objects')
    if (this.phase !== Phase.Done) throw syntaxError('body', 'the JSON array is not closed')
    const summary = await this.builder.finish()
    if (summary.rowCount === 0) throw emptyDataset('The JSON array holds no records')
    return summary
  }

  /** Reads the element that ends with `piece[from, to)`, after what was carried of it. */
  private async addElement(piece: string, from: number, to: number): Promise<void> {
    // A UTF-16 unit is at most 3 bytes: only a long element can be over the limit.
    if ((this.carried.chars + to - from) * 3 > this.recordBytes) {
      if (this.carried.bytes + utf8Bytes(piece, from, to) > this.recordBytes) throw this.tooLong()
    }
    const text = this.carried.take(piece.slice(from, to))
    const where = this.path(this.index)
    this.index++
    this.afterComma = false
    let value: unknown
    try {
      value = parseJsonExact(text)
    } catch (error) {
      throw syntaxError(where, (error as Error).message)
    }
    try {
      await this.builder.addRecord(asRecord(value, where, { row: this.index }))
    } catch (error) {
      throw error instanceof RecordError ? recordProblem(error, this.path) : error
    }
  }

  private tooLong(): ProblemError {
    const index = this.index
    return recordTooLong(this.path(index), 'an element', this.recordBytes, { row: index + 1 })
  }
}
