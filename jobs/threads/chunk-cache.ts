import type { StoredChunk } from '../../src/storage/chunk-store'

/** What a decoded string costs JavaScriptCore beyond its characters (measured: about 100 bytes for 15). */
const STRING_OVERHEAD_BYTES = 80

/**
 * Roughly what decoded chunks keep alive: each buffer their arrays view once (a float column is
 * a view into the chunk's whole stored message), and every dictionary string.
 */
function retainedBytes(chunks: StoredChunk[]): number {
  const buffers = new Set<ArrayBufferLike>()
  let strings = 0
  for (const chunk of chunks)
    for (const column of chunk.columns.values()) {
      if (column.type === 'string') {
        buffers.add(column.codes.buffer)
        for (const value of column.dictionary) strings += 2 * value.length + STRING_OVERHEAD_BYTES
      } else buffers.add(column.values.buffer)
    }
  let bytes = strings
  for (const buffer of buffers) bytes += buffer.byteLength
  return bytes
}

/** A data version as a claim describes it. */
export type VersionKey = { datasetId: string; version: number; rowCount: number; chunkCount: number }

/**
 * Version numbers come from a sequence and are never reissued; the counts are in the key too, so
 * that a number issued again by a database restored to an earlier point cannot bring back
 * other data.
 */
const keyOf = (v: VersionKey) => `${v.datasetId}/${v.version}/${v.rowCount}/${v.chunkCount}`

/**
 * The decoded chunks of recently analysed small data versions, in one analysis thread. A data
 * version never changes once written (a replace makes a new one), so an entry is never stale.
 * People run several analyses on one dataset; each after the first then skips reading and
 * decoding its data, which for small data cost more than the analysis itself. The least
 * recently used versions go first when the budget is reached.
 */
export class ChunkCache {
  private readonly entries = new Map<string, { chunks: StoredChunk[]; bytes: number }>()
  private used = 0

  constructor(private readonly capacityBytes: number) {}

  get(version: VersionKey): StoredChunk[] | undefined {
    const key = keyOf(version)
    const entry = this.entries.get(key)
    if (!entry) return undefined
    this.entries.delete(key)
    this.entries.set(key, entry)
    return entry.chunks
  }

  put(version: VersionKey, chunks: StoredChunk[]): void {
    const key = keyOf(version)
    const bytes = retainedBytes(chunks)
    if (this.capacityBytes === 0 || bytes > this.capacityBytes || this.entries.has(key)) return
    for (const [oldest, entry] of this.entries) {
      if (this.used + bytes <= this.capacityBytes) break
      this.entries.delete(oldest)
      this.used -= entry.bytes
    }
    this.entries.set(key, { chunks, bytes })
    this.used += bytes
  }

  get size(): number {
    return this.entries.size
  }

  get bytes(): number {
    return this.used
  }
}
