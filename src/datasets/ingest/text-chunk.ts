import type { ChunkColumn } from '../../storage/chunk-codec'
import { restoreFormula } from '../csv-formulas'
import { CellKind, widen } from './cells'
import { dictionaryColumn } from './dictionary'

/** Rows a chunk has room for at first; small uploads stay small. */
const INITIAL_ROWS = 1024

/** How a cell's text differs from the characters it spans in its piece of input. */
export const CellText = {
  /** Taken as it is. */
  Plain: 0,
  /** A quoted field whose doubled quotes stand for one. */
  Escaped: 1,
  /** Starts with the apostrophe our CSV export puts before a formula; see csv-formulas. */
  Restored: 2,
} as const

/**
 * The cells of one chunk of CSV rows while it fills, column by column. The reader types each
 * cell as it scans it (`kinds`, with numbers, datetimes and booleans already in `values`) and
 * records where its text lies (`starts`/`ends` in the input piece `rowPiece` names), so a
 * string is only made for cells that end up in a string column. Memory is a few typed arrays
 * per column plus the text of the chunk's rows, whatever the size of the upload.
 */
export class TextChunk {
  rows = 0
  pieces: string[] = []
  rowPiece: Int32Array
  kinds: Uint8Array[]
  starts: Int32Array[]
  ends: Int32Array[]
  texts: Uint8Array[]
  values: Float64Array[]
  /** Rows the arrays have room for: they start small and double up to `capacity`. */
  private room: number

  constructor(
    readonly width: number,
    readonly capacity: number,
  ) {
    this.room = Math.min(capacity, INITIAL_ROWS)
    const each = <T>(make: () => T) => Array.from({ length: width }, make)
    this.rowPiece = new Int32Array(this.room)
    this.kinds = each(() => new Uint8Array(this.room))
    this.starts = each(() => new Int32Array(this.room))
    this.ends = each(() => new Int32Array(this.room))
    this.texts = each(() => new Uint8Array(this.room))
    this.values = each(() => new Float64Array(this.room))
  }

  get full(): boolean {
    return this.rows === this.capacity
  }

  /** Makes room for the row about to be written. */
  reserveRow(): void {
    if (this.rows < this.room) return
    this.room = Math.min(this.capacity, this.room * 2)
    const grow = <T extends Uint8Array | Int32Array | Float64Array>(array: T, make: (n: number) => T): T => {
      const bigger = make(this.room)
      bigger.set(array)
      return bigger
    }
    this.rowPiece = grow(this.rowPiece, n => new Int32Array(n))
    this.kinds = this.kinds.map(a => grow(a, n => new Uint8Array(n)))
    this.starts = this.starts.map(a => grow(a, n => new Int32Array(n)))
    this.ends = this.ends.map(a => grow(a, n => new Int32Array(n)))
    this.texts = this.texts.map(a => grow(a, n => new Uint8Array(n)))
    this.values = this.values.map(a => grow(a, n => new Float64Array(n)))
  }

  /** Completes the row whose cells were just written. */
  endRow(): void {
    this.rowPiece[this.rows] = this.pieces.length - 1
    this.rows++
  }

  /** Starts a new piece of text (of the input, or one record joined from several); the rows added next point into it. */
  addPiece(text: string): void {
    this.pieces.push(text)
  }

  /** The text of one cell as it was written. */
  cellText(c: number, r: number): string {
    const raw = this.pieces[this.rowPiece[r]!]!.slice(this.starts[c]![r]!, this.ends[c]![r]!)
    const how = this.texts[c]![r]!
    if (how === CellText.Plain) return raw
    const unescaped = how & CellText.Escaped ? raw.replaceAll('""', '"') : raw
    return how & CellText.Restored ? restoreFormula(unescaped) : unescaped
  }

  /**
   * The typed columns of the rows so far, keyed by column index; an all-null column is left
   * out. Afterwards the chunk is empty again, its value arrays handed over to the columns.
   */
  take(): { rows: number; columns: Map<number, ChunkColumn> } {
    const rows = this.rows
    const columns = new Map<number, ChunkColumn>()
    for (let c = 0; c < this.width; c++) {
      const column = this.buildColumn(c, rows)
      if (column) columns.set(c, column)
    }
    this.rows = 0
    this.pieces = []
    return { rows, columns }
  }

  private buildColumn(c: number, rows: number): ChunkColumn | null {
    const kinds = this.kinds[c]!
    let kind: CellKind = CellKind.Null
    let nullCount = 0
    for (let r = 0; r < rows; r++) {
      const k = kinds[r] as CellKind
      if (k === CellKind.Null) nullCount++
      else if (k !== kind) kind = widen(kind, k)
    }
    switch (kind) {
      case CellKind.Null:
        return null
      case CellKind.Integer:
      case CellKind.Number:
      case CellKind.Datetime: {
        // Null cells already hold NaN, the in-band null of float columns.
        const values = this.values[c]!.subarray(0, rows)
        this.values[c] = new Float64Array(this.room)
        const type = kind === CellKind.Integer ? 'integer' : kind === CellKind.Number ? 'number' : 'datetime'
        return { type, values, nullCount }
      }
      case CellKind.Boolean: {
        const source = this.values[c]!
        const values = new Int8Array(rows)
        for (let r = 0; r < rows; r++) values[r] = kinds[r] === CellKind.Null ? -1 : source[r]!
        return { type: 'boolean', values, nullCount }
      }
      default:
        return dictionaryColumn(this.kinds[c]!, rows, nullCount, r => this.cellText(c, r))
    }
  }
}
