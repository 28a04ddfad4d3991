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
      return take(utf8Length(JSON.stringify(v)))
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

/**
 * The UTF-8 length of JSON text, which holds only paired surrogates (JSON.stringify escapes the
 * others); counted by hand, since this module is also type-checked for the browser.
 */
function utf8Length(json: string): number {
  let bytes = json.length
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i)
    // 2 bytes below U+0800, 3 up to U+FFFF, and 4 for a surrogate pair (2 units, 2 more bytes).
    if (c >= 0x80) bytes += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 1 : 2
  }
  return bytes
}
