import type { ChunkColumn } from '../../src/storage/chunk-codec'
import { encodeChunk } from '../../src/storage/chunk-codec'
import type { ColumnInfo } from '../../src/storage/columns'

/** The benchmark table: 8 float columns, 1 integer, 1 categorical (5 labels), as the issues describe. */
export const SYNTHETIC_COLUMNS: ColumnInfo[] = [
  ...Array.from({ length: 8 }, (_, i) => ({ name: `f${i + 1}`, type: 'number' as const, nullable: false })),
  { name: 'i1', type: 'integer', nullable: false },
  { name: 'cat', type: 'string', nullable: false },
]

const LABELS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon']

/** mulberry32: a small, fast, seeded generator, so every run (and every thread) builds the same data. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The encoded chunks of the synthetic table, chunk by chunk. */
export function* syntheticChunks(
  rows: number,
  chunkRows: number,
  seed = 42,
): Generator<{ rowCount: number; bytes: Uint8Array }> {
  const next = random(seed)
  for (let start = 0; start < rows; start += chunkRows) {
    const n = Math.min(chunkRows, rows - start)
    const columns = new Map<number, ChunkColumn>()
    for (let c = 0; c < 8; c++) {
      const values = new Float64Array(n)
      const scale = 10 ** c
      for (let r = 0; r < n; r++) values[r] = Math.round((next() - 0.5) * scale * 1e6) / 1e6
      columns.set(c, { type: 'number', values, nullCount: 0 })
    }
    const ints = new Float64Array(n)
    for (let r = 0; r < n; r++) ints[r] = Math.floor(next() * 1_000_000)
    columns.set(8, { type: 'integer', values: ints, nullCount: 0 })
    const codes = new Int32Array(n)
    for (let r = 0; r < n; r++) codes[r] = (start + r) % LABELS.length
    columns.set(9, { type: 'string', codes, dictionary: LABELS, nullCount: 0 })
    yield { rowCount: n, bytes: encodeChunk(n, columns) }
  }
}
