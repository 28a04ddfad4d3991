import { ProblemError } from '../../http/problem'
import { parseJsonExact } from './exact-json'
import { asRecord, emptyDataset } from './json-records'
import { limitExceeded, RecordError, type TableBuilder, type TableSummary } from './table-builder'

const isBlank = (line: string) => line.trim() === ''

/**
 * Feeds newline-delimited JSON (one object per line) into a table builder as it arrives. Lines
 * are cut as the text comes in and parsed one by one, so memory holds one line at a time;
 * blank lines are skipped, and every error names its line.
 */
export class NdjsonReader {
  private carry = ''
  private line = 0

  constructor(
    private readonly builder: TableBuilder,
    private readonly maxLineChars: number,
  ) {}

  async push(text: string): Promise<void> {
    let start = 0
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
      const line = this.carry + text.slice(start, newline)
      this.carry = ''
      await this.addLine(line)
      start = newline + 1
    }
    this.carry += text.slice(start)
    if (this.carry.length > this.maxLineChars)
      throw limitExceeded(`line ${this.line + 1}: a line longer than ${this.maxLineChars} characters`)
  }

  async end(): Promise<TableSummary> {
    if (this.carry.length > 0) await this.addLine(this.carry)
    this.carry = ''
    const summary = await this.builder.finish()
    if (summary.rowCount === 0) throw emptyDataset('The NDJSON holds no records')
    return summary
  }

  private async addLine(text: string): Promise<void> {
    const line = ++this.line
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
}
