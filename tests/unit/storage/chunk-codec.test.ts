import { describe, expect, test } from 'bun:test'
import { type ChunkColumn, decodeChunk, encodeChunk } from '../../../src/storage/chunk-codec'
import { columnView } from '../../../src/storage/column-view'

/** Typed arrays as plain arrays, so that NaN compares equal to NaN. */
const plain = (value: object) =>
  Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v]),
  )

describe('chunk codec', () => {
  test('round-trips every column kind, nulls included, bit for bit', () => {
    const columns = new Map<number, ChunkColumn>([
      [0, { type: 'number', values: new Float64Array([1.5, Number.NaN, -0, 1e-300, Number.MAX_VALUE]), nullCount: 1 }],
      [1, { type: 'integer', values: new Float64Array([1, 2, 3, 9007199254740991, -4]), nullCount: 0 }],
      [2, { type: 'boolean', values: new Int8Array([1, 0, -1, 1, 0]), nullCount: 1 }],
      [3, { type: 'string', codes: new Int32Array([0, 1, -1, 2, 0]), dictionary: ['a', 'é', '😀'], nullCount: 1 }],
      [5, { type: 'datetime', values: new Float64Array([0, Date.UTC(2024, 0, 1), Number.NaN, 1, 2]), nullCount: 1 }],
    ])
    const chunk = decodeChunk(encodeChunk(5, columns))
    expect(chunk.rowCount).toBe(5)
    expect([...chunk.columns.keys()]).toEqual([0, 1, 2, 3, 5])
    expect(Object.is((chunk.columns.get(0) as { values: Float64Array }).values[2], -0)).toBe(true)
    for (const index of [0, 1, 2, 3, 5]) expect(plain(chunk.columns.get(index)!)).toEqual(plain(columns.get(index)!))
  })

  test('decodes from bytes at any offset of a larger buffer, as a database driver hands them over', () => {
    const columns = new Map<number, ChunkColumn>([
      [0, { type: 'number', values: new Float64Array([0.1, Number.NaN, 3]), nullCount: 1 }],
      [1, { type: 'string', codes: new Int32Array([2, -1, 0]), dictionary: ['x', 'y', 'z'], nullCount: 1 }],
    ])
    const bytes = encodeChunk(3, columns)
    for (const shift of [1, 3, 4]) {
      const host = new Uint8Array(bytes.length + shift)
      host.set(bytes, shift)
      const chunk = decodeChunk(host.subarray(shift))
      for (const index of [0, 1]) expect(plain(chunk.columns.get(index)!)).toEqual(plain(columns.get(index)!))
    }
  })

  test('a column of nothing but nulls keeps its nulls', () => {
    const columns = new Map<number, ChunkColumn>([
      [0, { type: 'boolean', values: new Int8Array([-1, -1]), nullCount: 2 }],
      [1, { type: 'string', codes: new Int32Array([-1, -1]), dictionary: [], nullCount: 2 }],
    ])
    const chunk = decodeChunk(encodeChunk(2, columns))
    for (const index of [0, 1]) expect(plain(chunk.columns.get(index)!)).toEqual(plain(columns.get(index)!))
  })

  test('refuses a chunk cut short', () => {
    const bytes = encodeChunk(3, new Map([[0, { type: 'number', values: new Float64Array([1, 2, 3]), nullCount: 0 }]]))
    expect(() => decodeChunk(bytes.subarray(0, bytes.length - 40))).toThrow()
  })

  test('refuses bytes that hold no record batch', () => {
    expect(() => decodeChunk(new Uint8Array([0, 1, 2, 3]))).toThrow()
  })
})

describe('columnView', () => {
  const chunk = decodeChunk(
    encodeChunk(
      3,
      new Map<number, ChunkColumn>([
        [0, { type: 'integer', values: new Float64Array([1, Number.NaN, 3]), nullCount: 1 }],
        [1, { type: 'boolean', values: new Int8Array([1, 0, -1]), nullCount: 1 }],
        [2, { type: 'datetime', values: new Float64Array([0, 86_400_000, Number.NaN]), nullCount: 1 }],
      ]),
    ),
  )

  test('presents an older, narrower chunk as the wider column type', () => {
    expect(Array.from(columnView(chunk, 0, 'number').values)).toEqual([1, Number.NaN, 3])
    expect(columnView(chunk, 0, 'string')).toMatchObject({ codes: new Int32Array([0, -1, 1]), dictionary: ['1', '3'] })
    expect(columnView(chunk, 1, 'string')).toMatchObject({
      codes: new Int32Array([0, 1, -1]),
      dictionary: ['true', 'false'],
    })
    expect(columnView(chunk, 2, 'string').dictionary).toEqual(['1970-01-01T00:00:00.000Z', '1970-01-02T00:00:00.000Z'])
  })

  test('a column the chunk lacks is all null', () => {
    expect(columnView(chunk, 9, 'number')).toMatchObject({ nullCount: 3 })
    expect(columnView(chunk, 9, 'boolean').values).toEqual(new Int8Array([-1, -1, -1]))
    expect(columnView(chunk, 9, 'string').codes).toEqual(new Int32Array([-1, -1, -1]))
  })
})
