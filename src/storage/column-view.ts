import { cellReader } from './cell-values'
import type { BoolColumn, Chunk, ChunkColumn, DictColumn, FloatColumn } from './chunk-codec'
import type { ColumnType } from './columns'

export type ColumnView<T extends ColumnType> = T extends 'boolean'
  ? BoolColumn
  : T extends 'string'
    ? DictColumn
    : FloatColumn

function asDictionary(column: ChunkColumn, length: number): DictColumn {
  if (column.type === 'string') return column
  const read = cellReader(column, 'string')
  const codes = new Int32Array(length)
  const dictionary: string[] = []
  const lookup = new Map<string, number>()
  for (let i = 0; i < length; i++) {
    const text = read(i) as string | null
    if (text === null) {
      codes[i] = -1
      continue
    }
    let code = lookup.get(text)
    if (code === undefined) {
      code = dictionary.length
      dictionary.push(text)
      lookup.set(text, code)
    }
    codes[i] = code
  }
  return { type: 'string', codes, dictionary, nullCount: column.nullCount }
}

/**
 * One column of a chunk in the representation of the dataset's column type. A chunk typed
 * before the column widened is converted here; a column the chunk lacks is all null.
 */
export function columnView<T extends ColumnType>(chunk: Chunk, index: number, type: T): ColumnView<T> {
  const column = chunk.columns.get(index)
  const n = chunk.rowCount
  if (type === 'string') {
    const view: DictColumn = column
      ? asDictionary(column, n)
      : { type: 'string', codes: new Int32Array(n).fill(-1), dictionary: [], nullCount: n }
    return view as ColumnView<T>
  }
  if (type === 'boolean') {
    const view: BoolColumn =
      column?.type === 'boolean' ? column : { type: 'boolean', values: new Int8Array(n).fill(-1), nullCount: n }
    return view as ColumnView<T>
  }
  if (column && column.type !== 'boolean' && column.type !== 'string') return { ...column, type } as ColumnView<T>
  const view: FloatColumn = {
    type: type as FloatColumn['type'],
    values: new Float64Array(n).fill(Number.NaN),
    nullCount: n,
  }
  return view as ColumnView<T>
}
