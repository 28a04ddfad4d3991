import { ProblemError, unsupportedMediaType } from '../../http/problem'
import { SNIFF_BYTES, sniffBinary } from './binary-sniff'

/** Offset of the first byte of `bytes` that is not part of a valid UTF-8 sequence, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0
  while (i < bytes.length) {
    const b = bytes[i]!
    const size = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0
    if (size === 0) return i
    // A sequence cut off by the end of `bytes` may go on in the next piece.
    for (let k = 1; k < size; k++) {
      if (i + k >= bytes.length) return -1
      const c = bytes[i + k]!
      if ((c & 0xc0) !== 0x80) return i
      // Overlong forms, surrogates and code points past U+10FFFF.
      if (
        k === 1 &&
        ((b === 0xe0 && c < 0xa0) || (b === 0xed && c > 0x9f) || (b === 0xf0 && c < 0x90) || (b === 0xf4 && c > 0x8f))
      )
        return i
    }
    i += size
  }
  return -1
}

const invalidEncoding = (offset: number) =>
  new ProblemError(
    422,
    'INVALID_ENCODING',
    `The data is not valid UTF-8: the first bad byte is at offset ${offset}; send UTF-8 text`,
    [{ path: `byte ${offset}`, message: 'not valid UTF-8' }],
  )

/**
 * Decodes a body as UTF-8 text while it arrives. A body that starts like a binary file is a
 * 415 (it is not the text its media type claims), and bytes that are not UTF-8 are a 422 with
 * their offset, never decoded into replacement characters. A byte order mark is dropped.
 */
export async function* utf8Text(bytes: AsyncIterable<Uint8Array>, mediaType: string): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true })
  let offset = 0
  let head: Uint8Array | null = new Uint8Array(0)
  const decode = (piece: Uint8Array, stream: boolean): string => {
    try {
      const text = decoder.decode(piece, { stream })
      offset += piece.byteLength
      return text
    } catch {
      const at = firstInvalidUtf8(piece)
      throw invalidEncoding(offset + Math.max(at, 0))
    }
  }
  for await (const piece of bytes) {
    if (head !== null) {
      // The first bytes are held back until there are enough to tell binary from text.
      head = Buffer.concat([head, piece])
      if (head.length < SNIFF_BYTES) continue
      const what = sniffBinary(head)
      if (what) throw unsupportedMediaType(`The body is ${what}, not ${mediaType} text`)
      const text = decode(head, true)
      head = null
      if (text) yield text
      continue
    }
    const text = decode(piece, true)
    if (text) yield text
  }
  if (head !== null && head.length > 0) {
    const what = sniffBinary(head)
    if (what) throw unsupportedMediaType(`The body is ${what}, not ${mediaType} text`)
    const text = decode(head, false)
    if (text) yield text
    return
  }
  const rest = decode(new Uint8Array(0), false)
  if (rest) yield rest
}
