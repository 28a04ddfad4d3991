/**
 * Whether a parsed JSON value, written back as JSON, would be larger than `maxBytes`, found by
 * walking it only as far as the limit: a value far past it costs what one at the limit does.
 * (JSON.stringify would copy the whole value first.)
 */
export function jsonLargerThan(value: unknown, maxBytes: number): boolean {
  let left = maxBytes
  const take = (bytes: number) => {
    left -= bytes
    return left < 0
  }
  const visit = (v: unknown): boolean => {
    if (typeof v === 'string') {
      // A UTF-16 unit is at least one byte of JSON, so a long string is over without a copy.
      if (v.length > left) return take(v.length)
      return take(Buffer.byteLength(JSON.stringify(v)))
    }
    if (v === null || typeof v !== 'object') return take(String(JSON.stringify(v)).length)
    if (Array.isArray(v)) {
      if (take(Math.max(2, v.length + 1))) return true
      for (const item of v) if (visit(item)) return true
      return false
    }
    const keys = Object.keys(v)
    if (take(Math.max(2, 2 * keys.length + 1))) return true
    for (const key of keys) if (visit(key) || visit((v as Record<string, unknown>)[key])) return true
    return false
  }
  return visit(value)
}
