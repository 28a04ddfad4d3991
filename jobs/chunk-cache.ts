import type { StoredChunk } from '../src/storage/chunk-store'

/** Roughly what a decoded chunk holds in memory. */
function chunkBytes(chunk: StoredChunk): number {
  let bytes = 0
  for (const column of chunk.columns.values()) {
    if (column.type === 'string') {
      bytes += column.codes.byteLength
      for (const value of column.dictionary) bytes += 2 * value.length
    } else bytes += column.values.byteLength
  }
  return bytes
}

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

  get(datasetId: string, version: number): StoredChunk[] | undefined {
    const key = `${datasetId}/${version}`
    const entry = this.entries.get(key)
    if (!entry) return undefined
    this.entries.delete(key)
    this.entries.set(key, entry)
    return entry.chunks
  }

  put(datasetId: string, version: number, chunks: StoredChunk[]): void {
    const key = `${datasetId}/${version}`
    const bytes = chunks.reduce((sum, chunk) => sum + chunkBytes(chunk), 0)
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
