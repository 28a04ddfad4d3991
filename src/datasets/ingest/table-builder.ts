import { type FieldError, invalid, ProblemError } from '../../http/problem'
import { isStorableText } from '../../http/schemas'
import { type ChunkColumn, encodeChunk } from '../../storage/chunk-codec'
import type { ColumnInfo, ColumnType, JsonCell } from '../../storage/columns'
import { CellKind, classifyJson, classifyText, parseIsoDatetime, widen } from './cells'
import { dictionaryColumn } from './dictionary'

/** `recordBytes` bounds one record as a reader holds it before it is parsed (MAX_RECORD_BYTES). */
export type IngestLimits = { columns: number; cellBytes: number; rows: number; recordBytes: number }

export type EncodedChunk = { seq: number; rowStart: number; rowCount: number; bytes: Uint8Array }
export type ChunkSink = (chunk: EncodedChunk) => Promise<void>

export type TableSummary = { columns: ColumnInfo[]; rowCount: number; chunkCount: number; sizeBytes: number }

const KIND_TYPE: Record<CellKind, ColumnType> = {
  [CellKind.Null]: 'string',
  [CellKind.Integer]: 'integer',
  [CellKind.Number]: 'number',
  [CellKind.Boolean]: 'boolean',
  [CellKind.Datetime]: 'datetime',
  [CellKind.String]: 'string',
}

/** Cells in one chunk at most (2 Mi: 65,536 rows of up to 32 columns). */
export const MAX_CHUNK_CELLS = 1 << 21

export const limitExceeded = (detail: string, errors?: FieldError[]) =>
  new ProblemError(422, 'LIMIT_EXCEEDED', detail, errors)

/**
 * A bad record, located by its 1-based record number (and column, where one is to blame). The
 * reader that produced the record turns it into a problem that names a CSV line or a JSON path.
 */
export class RecordError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly record: number,
    readonly column?: number,
  ) {
    super(message)
  }
}

/** Column names are kept in PostgreSQL, which cannot hold these. */
const UNSTORABLE_NAME = 'column name holds NUL (U+0000) or an unpaired surrogate'

function checkColumnNames(names: readonly string[]): void {
  const errors: FieldError[] = []
  const seen = new Set<string>()
  names.forEach((name, i) => {
    if (name.trim() === '') errors.push({ path: `columns[${i}]`, message: 'column name is empty' })
    else if (!isStorableText(name)) errors.push({ path: `columns[${i}]`, message: UNSTORABLE_NAME })
    else if (seen.has(name))
      errors.push({ path: `columns[${i}]`, message: `duplicate column name ${JSON.stringify(name)}` })
    seen.add(name)
  })
  if (errors.length > 0) throw invalid('Column names must be non-empty, unique text', errors, 'INVALID_COLUMNS')
}

/**
 * Turns a stream of records into typed columnar chunks, flushing each full chunk to the sink
 * while input is still arriving. Each chunk is typed on its own; the dataset's type of a column
 * is the widest of its chunks' types, and readers widen old chunks on the fly, so a column that
 * turns out wider than first guessed never forces a rewrite.
 */
export class TableBuilder {
  private readonly names: string[] = []
  private readonly index = new Map<string, number>()
  private readonly kinds: CellKind[] = []
  private readonly nullable: boolean[] = []
  private pending: JsonCell[][] = []
  private pendingRows = 0
  private rowCount = 0
  private seq = 0
  private sizeBytes = 0
  private readonly classify: (v: JsonCell) => CellKind

  constructor(
    source: 'text' | 'json',
    readonly chunkRows: number,
    readonly limits: IngestLimits,
    private readonly sink: ChunkSink,
  ) {
    this.classify = source === 'text' ? v => classifyText(v as string) : classifyJson
  }

  /**
   * Rows in a chunk of a table this wide: `chunkRows`, or fewer when the table is so wide that a
   * chunk would hold more than MAX_CHUNK_CELLS cells, so that memory per chunk has a bound.
   */
  rowsPerChunk(width: number): number {
    return Math.max(1, Math.min(this.chunkRows, Math.floor(MAX_CHUNK_CELLS / Math.max(width, 1))))
  }

  get columnCount(): number {
    return this.names.length
  }

  /** Declares the columns up front (a CSV header). */
  setColumns(names: readonly string[]): void {
    if (names.length > this.limits.columns)
      throw limitExceeded(`The data has ${names.length} columns; the limit is ${this.limits.columns}`)
    checkColumnNames(names)
    for (const name of names) this.addColumn(name)
  }

  /**
   * Stores a chunk of rows that a reader typed itself (the CSV reader does, straight from the
   * text), after the columns were declared. The reader enforces the row and cell limits.
   */
  async addChunk(rows: number, columns: Map<number, ChunkColumn>): Promise<void> {
    this.rowCount += rows
    await this.store(rows, columns)
  }

  /** Adds one keyed record (JSON); keys not seen before become new columns. */
  async addRecord(record: Readonly<Record<string, JsonCell>>): Promise<void> {
    this.countRow()
    for (const name in record) {
      let c = this.index.get(name)
      if (c === undefined) {
        if (this.names.length >= this.limits.columns)
          throw new RecordError('LIMIT_EXCEEDED', `more than ${this.limits.columns} columns, the limit`, this.rowCount)
        if (name.trim() === '') throw new RecordError('INVALID_COLUMNS', 'a column name is empty', this.rowCount)
        if (!isStorableText(name)) throw new RecordError('INVALID_COLUMNS', `a ${UNSTORABLE_NAME}`, this.rowCount)
        this.checkName(name)
        c = this.addColumn(name)
      }
      const cell = record[name]!
      this.checkCell(cell, c)
      const column = this.pending[c]!
      while (column.length < this.pendingRows) column.push(null)
      column.push(cell)
    }
    this.pendingRows++
    if (this.pendingRows === this.rowsPerChunk(this.names.length)) await this.flush()
  }

  async finish(): Promise<TableSummary> {
    // Records without a single field ({} in JSON) leave rows that no format can write back.
    if (this.names.length === 0 && this.rowCount > 0)
      throw new ProblemError(422, 'EMPTY_DATASET', 'The records have no fields: there is no column to store')
    if (this.pendingRows > 0) await this.flush()
    return {
      columns: this.names.map((name, c) => ({ name, type: KIND_TYPE[this.kinds[c]!], nullable: this.nullable[c]! })),
      rowCount: this.rowCount,
      chunkCount: this.seq,
      sizeBytes: this.sizeBytes,
    }
  }

  private addColumn(name: string): number {
    const c = this.names.length
    this.names.push(name)
    this.index.set(name, c)
    this.kinds.push(CellKind.Null)
    // Records before the one that brought the column have no value in it.
    this.nullable.push(this.rowCount > 1)
    this.pending.push([])
    return c
  }

  private countRow(): void {
    this.rowCount++
    if (this.rowCount > this.limits.rows)
      throw new RecordError('LIMIT_EXCEEDED', `more than ${this.limits.rows} rows, the limit`, this.rowCount)
  }

  /** A column name is a cell of the header: held to the same length limit. */
  private checkName(name: string): void {
    if (name.length * 3 <= this.limits.cellBytes) return
    const bytes = Buffer.byteLength(name)
    if (bytes > this.limits.cellBytes) {
      const message = `a column name of ${bytes} bytes; the limit is ${this.limits.cellBytes}`
      throw new RecordError('LIMIT_EXCEEDED', message, this.rowCount, this.names.length + 1)
    }
  }

  private checkCell(cell: JsonCell, c: number): void {
    // Measured in UTF-16 units first: only a long string can be over the byte limit.
    if (typeof cell === 'string' && cell.length * 3 > this.limits.cellBytes) {
      const bytes = Buffer.byteLength(cell)
      if (bytes > this.limits.cellBytes) {
        const message = `a cell of ${bytes} bytes in column ${JSON.stringify(this.names[c])}; the limit is ${this.limits.cellBytes}`
        throw new RecordError('LIMIT_EXCEEDED', message, this.rowCount, c + 1)
      }
    }
  }

  private async flush(): Promise<void> {
    const rows = this.pendingRows
    const columns = new Map<number, ChunkColumn>()
    for (let c = 0; c < this.names.length; c++) {
      const cells = this.pending[c]!
      while (cells.length < rows) cells.push(null)
      const column = this.buildColumn(cells)
      if (column !== null) columns.set(c, column)
    }
    this.pending = this.names.map(() => [])
    this.pendingRows = 0
    await this.store(rows, columns)
  }

  /** Widens the dataset's column types by a chunk's, then encodes the chunk and hands it on. */
  private async store(rows: number, columns: Map<number, ChunkColumn>): Promise<void> {
    for (let c = 0; c < this.names.length; c++) {
      const column = columns.get(c)
      if (!column || column.nullCount > 0) this.nullable[c] = true
      if (column) this.kinds[c] = widen(this.kinds[c]!, kindOf(column))
    }
    const bytes = encodeChunk(rows, columns)
    const chunk = { seq: this.seq, rowStart: this.rowCount - rows, rowCount: rows, bytes }
    this.seq++
    this.sizeBytes += bytes.byteLength
    await this.sink(chunk)
  }

  /** Types one column of one chunk; null when every cell is null. */
  private buildColumn(cells: readonly JsonCell[]): ChunkColumn | null {
    const n = cells.length
    const kinds = new Uint8Array(n)
    let kind: CellKind = CellKind.Null
    let nullCount = 0
    for (let i = 0; i < n; i++) {
      const k = this.classify(cells[i]!)
      kinds[i] = k
      if (k === CellKind.Null) nullCount++
      else if (k !== kind) kind = widen(kind, k)
    }
    switch (kind) {
      case CellKind.Null:
        return null
      case CellKind.Integer:
      case CellKind.Number: {
        const values = new Float64Array(n)
        for (let i = 0; i < n; i++) values[i] = kinds[i] === CellKind.Null ? Number.NaN : Number(cells[i])
        return { type: kind === CellKind.Integer ? 'integer' : 'number', values, nullCount }
      }
      case CellKind.Datetime: {
        const values = new Float64Array(n)
        for (let i = 0; i < n; i++)
          values[i] = kinds[i] === CellKind.Null ? Number.NaN : parseIsoDatetime(cells[i] as string)
        return { type: 'datetime', values, nullCount }
      }
      case CellKind.Boolean: {
        const values = new Int8Array(n)
        for (let i = 0; i < n; i++) {
          const v = cells[i]
          values[i] = kinds[i] === CellKind.Null ? -1 : v === true || (typeof v === 'string' && v.length === 4) ? 1 : 0
        }
        return { type: 'boolean', values, nullCount }
      }
      default:
        return dictionaryColumn(kinds, cells.length, nullCount, i => String(cells[i]))
    }
  }
}

function kindOf(column: ChunkColumn): CellKind {
  switch (column.type) {
    case 'integer':
      return CellKind.Integer
    case 'number':
      return CellKind.Number
    case 'boolean':
      return CellKind.Boolean
    case 'datetime':
      return CellKind.Datetime
    case 'string':
      return CellKind.String
  }
}
