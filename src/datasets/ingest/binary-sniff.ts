/** Signatures of binary files people send in place of text data, by what they are. */
const SIGNATURES: [string, number[]][] = [
  ['a PNG image', [0x89, 0x50, 0x4e, 0x47]],
  ['a JPEG image', [0xff, 0xd8, 0xff]],
  ['a GIF image', [0x47, 0x49, 0x46, 0x38]],
  ['a PDF document', [0x25, 0x50, 0x44, 0x46, 0x2d]],
  ['a ZIP archive (an .xlsx workbook is one)', [0x50, 0x4b, 0x03, 0x04]],
  ['an OLE document (an old .xls workbook is one)', [0xd0, 0xcf, 0x11, 0xe0]],
  ['gzip data (send it with Content-Encoding: gzip)', [0x1f, 0x8b]],
  ['a Parquet file', [0x50, 0x41, 0x52, 0x31]],
  ['an Arrow file', [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]],
]

/** Bytes at the start of a body that are enough to tell binary data from text. */
export const SNIFF_BYTES = 512

/**
 * What binary data the start of a body looks like, or null for text. A NUL byte never occurs
 * in UTF-8 text data (UTF-16 text has them, and is refused as well).
 */
export function sniffBinary(head: Uint8Array): string | null {
  for (const [what, signature] of SIGNATURES)
    if (head.length >= signature.length && signature.every((byte, i) => head[i] === byte)) return what
  const end = Math.min(head.length, SNIFF_BYTES)
  for (let i = 0; i < end; i++) if (head[i] === 0) return 'binary data (it holds NUL bytes)'
  return null
}
