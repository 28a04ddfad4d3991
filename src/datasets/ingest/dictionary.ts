import type { ChunkColumn } from '../../storage/chunk-codec'
import { CellKind } from './cells'

/** A string column of one chunk: each distinct text once in the dictionary, nulls as code -1. */
export function dictionaryColumn(
  kinds: Uint8Array,
  rows: number,
  nullCount: number,
  textAt: (row: number) => string,
): ChunkColumn {
  const codes = new Int32Array(rows)
  const dictionary: string[] = []
  const lookup = new Map<string, number>()
  for (let r = 0; r < rows; r++) {
    if (kinds[r] === CellKind.Null) {
      codes[r] = -1
      continue
    }
    const text = textAt(r)
    let code = lookup.get(text)
    if (code === undefined) {
      code = dictionary.length
      dictionary.push(text)
      lookup.set(text, code)
    }
    codes[r] = code
  }
  return { type: 'string', codes, dictionary, nullCount }
}
