/** How far the process may grow past its size after the last full collection before another. */
const HEADROOM_BYTES = 64 * 1024 * 1024

let baseline = 0

/**
 * Runs a full garbage collection when the process has grown more than HEADROOM_BYTES since the
 * last one. An upload or a download turns each chunk into short-lived typed arrays and strings
 * several times the chunk's size (parsed text, the encoded chunk, postgres.js's hex text of it,
 * the CSV written from it); JSC collects those lazily, and left alone a 100 MB upload peaked at
 * over 400 MB of RSS, as did its download. Measured against the size after the last collection
 * rather than a fixed limit, memory that the allocator keeps (or that other transfers hold)
 * never makes it collect after every chunk. One collection takes about 30 ms here, a few per
 * hundred MB moved. Shared by all transfers of the process; called once per chunk.
 */
export function collectGarbageIfGrown(): void {
  const rss = process.memoryUsage.rss()
  if (baseline !== 0 && rss < baseline + HEADROOM_BYTES) return
  Bun.gc(true)
  baseline = process.memoryUsage.rss()
}
