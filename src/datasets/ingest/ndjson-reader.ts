import { ProblemError } from '../../http/problem'
import { CarriedText, utf8Bytes } from './carried-text'
import { parseJsonExact } from './exact-json'
import { asRecord, emptyDataset } from './json-records'
import { recordTooLong } from './record-limit'
import { RecordError, type TableBuilder, type TableSummary } from './table-builder'

const isBlank = (line: string) => line.trim() === ''

const RETURN = 13

/**
 * Feeds newline-delimited JSON (one object per line) into a table builder as it arrives. Lines
 * are cut as the text comes in and parsed one by one, so memory holds one line at a time; a
 * line that goes on past its piece is carried, and refused as soon as it passes
 * MAX_RECORD_BYTES, before any of it is parsed. Blank lines are skipped, and every error names
 * its line.
 */
export class NdjsonReader {
  private readonly carried = new CarriedText()
  private line = 0
  private readonly recordBytes: number

  constructor(private readonly builder: TableBuilder) {
    this.recordBytes = builder.limits.recordBytes
  }

  async push(text: string): Promise<void> {
    let start = 0
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
      await this.addLine(text, start, newline)
      start = newline + 1
    }
    this.carried.add(text, start)
    if (this.carried.bytes - this.lineEnd(this.carried.lastCode()) > this.recordBytes) throw this.tooLong(this.line + 1)
  }

  async end(): Promise<TableSummary> {
    if (this.carried.chars > 0) await this.addLine('', 0, 0)
    const summary = await this.builder.finish()
    if (summary.rowCount === 0) throw emptyDataset('The NDJSON holds no records')
    return summary
  }

  /** Reads the line that ends with `piece[from, to)`, after what was carried of it. */
  private async addLine(piece: string, from: number, to: number): Promise<void> {
    const line = ++this.line
    const end = this.lineEnd(to > from ? piece.charCodeAt(to - 1) : this.carried.lastCode())
    // A UTF-16 unit is at most 3 bytes: only a long line can be over the limit.
    if ((this.carried.chars + to - from - end) * 3 > this.recordBytes) {
      if (this.carried.bytes + utf8Bytes(piece, from, to) - end > this.recordBytes) throw this.tooLong(line)
    }
    const text = this.carried.take(piece.slice(from, to))
    if (isBlank(text)) return
    let value: unknown
    try {
      value = parseJsonExact(text)
    } catch (error) {
      const message = (error as Error).message
      throw new ProblemError(422, 'INVALID_JSON', `line ${line}: ${message}`, [{ path: `line ${line}`, message, line }])
    }
    try {
      await this.builder.addRecord(asRecord(value, `line ${line}`, { line }))
    } catch (error) {
      if (!(error instanceof RecordError)) throw error
      throw new ProblemError(422, error.code, `line ${line}: ${error.message}`, [
        { path: `line ${line}`, message: error.message, line },
      ])
    }
  }

  /** A CR before the LF is part of the line end, which the limit does not count (1), or not (0). */
  private lineEnd(lastCode: number): number {
    return lastCode === RETURN ? 1 : 0
  }

  private tooLong(line: number): ProblemError {
    return recordTooLong(`line ${line}`, 'a line', this.recordBytes, { line })
  }
}
