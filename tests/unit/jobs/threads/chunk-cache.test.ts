import { describe, expect, test } from 'bun:test'
import { ChunkCache, type VersionKey } from '../../../../jobs/threads/chunk-cache'
import type { StoredChunk } from '../../../../src/storage/chunk-store'

/** A chunk of one float column of `rows` values in a buffer of its own: 8 bytes a row. */
const chunkOf = (rows: number, seq = 0): StoredChunk => ({
  seq,
  rowStart: seq * rows,
  rowCount: rows,
  columns: new Map([[0, { type: 'number', values: new Float64Array(rows), nullCount: 0 }]]),
})

const version = (datasetId: string, v = 1, rowCount = 10, chunkCount = 1): VersionKey => ({
  datasetId,
  version: v,
  rowCount,
  chunkCount,
})

describe('ChunkCache', () => {
  test('answers what was put for that data version only', () => {
    const cache = new ChunkCache(1024)
    const chunks = [chunkOf(4), chunkOf(4, 1)]
    cache.put(version('a'), chunks)
    expect(cache.get(version('a'))).toBe(chunks)
    expect(cache.get(version('a', 2))).toBeUndefined()
    expect(cache.get(version('b'))).toBeUndefined()
    expect(cache.bytes).toBe(64)
  })

  test('a version number met again with other counts is other data', () => {
    const cache = new ChunkCache(1024)
    cache.put(version('a', 7, 10, 1), [chunkOf(4)])
    expect(cache.get(version('a', 7, 11, 1))).toBeUndefined()
    expect(cache.get(version('a', 7, 10, 2))).toBeUndefined()
    expect(cache.get(version('a', 7, 10, 1))).toBeDefined()
  })

  test('counts a buffer that several columns view once, and each string with its overhead', () => {
    const cache = new ChunkCache(4096)
    const message = new ArrayBuffer(1000)
    cache.put(version('shared'), [
      {
        seq: 0,
        rowStart: 0,
        rowCount: 3,
        columns: new Map([
          [0, { type: 'number', values: new Float64Array(message, 0, 3), nullCount: 0 }],
          [1, { type: 'number', values: new Float64Array(message, 24, 3), nullCount: 0 }],
          [2, { type: 'string', codes: new Int32Array([0, 1, 0]), dictionary: ['ab', 'c'], nullCount: 0 }],
        ]),
      },
    ])
    expect(cache.bytes).toBe(1000 + 12 + (4 + 80) + (2 + 80))
  })

  test('drops the least recently used versions to stay within its budget', () => {
    const cache = new ChunkCache(200)
    cache.put(version('a'), [chunkOf(10)])
    cache.put(version('b'), [chunkOf(10)])
    expect(cache.get(version('a'))).toBeDefined()
    cache.put(version('c'), [chunkOf(10)])
    expect(cache.size).toBe(2)
    expect(cache.get(version('b'))).toBeUndefined()
    expect(cache.get(version('a'))).toBeDefined()
    expect(cache.get(version('c'))).toBeDefined()
    expect(cache.bytes).toBe(160)
  })

  test('keeps nothing with a budget of 0 (ANALYSIS_CACHE_MB=0)', () => {
    const cache = new ChunkCache(0)
    cache.put(version('a'), [chunkOf(0)])
    expect(cache.get(version('a'))).toBeUndefined()
    expect(cache.size).toBe(0)
  })

  test('keeps nothing of a version larger than the whole budget', () => {
    const cache = new ChunkCache(100)
    cache.put(version('a'), [chunkOf(5)])
    cache.put(version('big'), [chunkOf(20)])
    expect(cache.get(version('big'))).toBeUndefined()
    expect(cache.get(version('a'))).toBeDefined()
    expect(cache.bytes).toBe(40)
  })
})
