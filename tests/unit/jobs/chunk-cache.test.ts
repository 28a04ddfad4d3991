import { describe, expect, test } from 'bun:test'
import { ChunkCache } from '../../../jobs/chunk-cache'
import type { StoredChunk } from '../../../src/storage/chunk-store'

/** A chunk of one float column of `rows` values: 8 bytes a row. */
const chunkOf = (rows: number, seq = 0): StoredChunk => ({
  seq,
  rowStart: seq * rows,
  rowCount: rows,
  columns: new Map([[0, { type: 'number', values: new Float64Array(rows), nullCount: 0 }]]),
})

describe('ChunkCache', () => {
  test('answers what was put for that data version only', () => {
    const cache = new ChunkCache(1024)
    const chunks = [chunkOf(4), chunkOf(4, 1)]
    cache.put('a', 1, chunks)
    expect(cache.get('a', 1)).toBe(chunks)
    expect(cache.get('a', 2)).toBeUndefined()
    expect(cache.get('b', 1)).toBeUndefined()
    expect(cache.bytes).toBe(64)
  })

  test('counts strings by their dictionary and codes', () => {
    const cache = new ChunkCache(1024)
    cache.put('s', 1, [
      {
        seq: 0,
        rowStart: 0,
        rowCount: 3,
        columns: new Map([
          [0, { type: 'string', codes: new Int32Array([0, 1, 0]), dictionary: ['ab', 'c'], nullCount: 0 }],
        ]),
      },
    ])
    expect(cache.bytes).toBe(12 + 2 * 3)
  })

  test('drops the least recently used versions to stay within its budget', () => {
    const cache = new ChunkCache(200)
    cache.put('a', 1, [chunkOf(10)])
    cache.put('b', 1, [chunkOf(10)])
    expect(cache.get('a', 1)).toBeDefined()
    cache.put('c', 1, [chunkOf(10)])
    expect(cache.size).toBe(2)
    expect(cache.get('b', 1)).toBeUndefined()
    expect(cache.get('a', 1)).toBeDefined()
    expect(cache.get('c', 1)).toBeDefined()
    expect(cache.bytes).toBe(160)
  })

  test('keeps nothing with a budget of 0 (ANALYSIS_CACHE_MB=0)', () => {
    const cache = new ChunkCache(0)
    cache.put('a', 1, [chunkOf(0)])
    expect(cache.get('a', 1)).toBeUndefined()
    expect(cache.size).toBe(0)
  })

  test('keeps nothing of a version larger than the whole budget', () => {
    const cache = new ChunkCache(100)
    cache.put('a', 1, [chunkOf(5)])
    cache.put('big', 1, [chunkOf(20)])
    expect(cache.get('big', 1)).toBeUndefined()
    expect(cache.get('a', 1)).toBeDefined()
    expect(cache.bytes).toBe(40)
  })
})
