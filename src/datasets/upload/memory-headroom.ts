/** How far the process may grow past its size after the last full collection before another. */
const HEADROOM_BYTES = 64 * 1024 * 1024

let baseline = 0

/**
 * Runs a full garbage collection when the process has grown more than HEADROOM_BYTES since the
 * last one. An upload turns each chunk into short-lived typed arrays and strings several times
 * the chunk's size (parsed text, the encoded chunk, postgres.js's hex text of it); JSC collects
 * those lazily, and left alone a 100 MB upload peaked at over 400 MB of RSS. Measured against
 * the size after the last collection rather than a fixed limit, memory that the allocator keeps
 * (or that other uploads hold) never makes it collect after every chunk. One collection takes
 * about 30 ms here, a few per hundred MB of upload. Shared by all uploads of the process.
 */
export function collectGarbageIfGrown(): void {
  const rss = process.memoryUsage.rss()
  if (baseline !== 0 && rss < baseline + HEADROOM_BYTES) return
  Bun.gc(true)
  baseline = process.memoryUsage.rss()
}
