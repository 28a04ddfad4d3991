/** Parts shorter than this are joined to the part before as they come (see CarriedText.add). */
const SHORT_PART = 1 << 16

/**
 * UTF-8 bytes of `s[from, to)`, counted without encoding it: what Buffer.byteLength would say
 * of the slice (a lone surrogate counts as the 3 bytes of U+FFFD).
 */
export function utf8Bytes(s: string, from = 0, to = s.length): number {
  let bytes = to - from
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) continue
    if (c < 0x800) bytes += 1
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < to && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      // A surrogate pair: 4 bytes for its 2 units.
      bytes += 2
      i++
    } else bytes += 2
  }
  return bytes
}

/**
 * The text of a record that goes on past the piece of input it started in, kept (and measured)
 * until it ends. Nothing is copied again when the next piece comes: the record is joined once,
 * when it ends. A client that sends a record a few bytes at a time would leave a part per
 * piece, so short parts are joined like a binary counter (a part is merged into the one before
 * while it is at least as long): the parts stay few and each character is copied a few times
 * at most, whatever the pieces.
 */
export class CarriedText {
  private parts: string[] = []
  /** UTF-16 units carried. */
  chars = 0
  /** UTF-8 bytes carried. */
  bytes = 0

  /** Carries `text[from, to)`, whose UTF-8 size the caller may have counted already. */
  add(text: string, from = 0, to = text.length, bytes = utf8Bytes(text, from, to)): void {
    if (from >= to) return
    this.chars += to - from
    this.bytes += bytes
    const parts = this.parts
    parts.push(from === 0 && to === text.length ? text : text.slice(from, to))
    while (parts.length > 1) {
      const last = parts[parts.length - 1]!
      const before = parts[parts.length - 2]!
      if (before.length >= SHORT_PART || last.length < before.length) break
      parts.length -= 2
      // join, not +: JSC makes a rope of a + b, whose nodes would pile up just the same.
      parts.push([before, last].join(''))
    }
  }

  /** The carried text with `tail` after it, as one string; the carry is empty afterwards. */
  take(tail = ''): string {
    const parts = this.parts
    if (tail) parts.push(tail)
    const text = parts.length === 1 ? parts[0]! : parts.join('')
    this.parts = []
    this.chars = 0
    this.bytes = 0
    return text
  }

  /** The last character carried (NaN when nothing is). */
  lastCode(): number {
    const last = this.parts.at(-1)
    return last === undefined ? Number.NaN : last.charCodeAt(last.length - 1)
  }
}
