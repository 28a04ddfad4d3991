import { describe, expect, test } from 'bun:test'
import { firstInvalidUtf8, utf8Text } from '../../../src/datasets/ingest/utf8-text'
import { ProblemError } from '../../../src/http/problem'

async function* bytesOf(...pieces: number[][]) {
  for (const piece of pieces) yield new Uint8Array(piece)
}

async function decode(...pieces: number[][]): Promise<string> {
  let text = ''
  for await (const piece of utf8Text(bytesOf(...pieces), 'text/csv')) text += piece
  return text
}

const utf8 = (text: string) => [...new TextEncoder().encode(text)]

describe('utf8Text', () => {
  test('decodes characters split across pieces and drops a byte order mark', async () => {
    const bytes = [0xef, 0xbb, 0xbf, ...utf8('é,😀\n'.repeat(200))]
    const pieces = Array.from({ length: Math.ceil(bytes.length / 3) }, (_, i) => bytes.slice(i * 3, i * 3 + 3))
    expect(await decode(...pieces)).toBe('é,😀\n'.repeat(200))
  })

  test('refuses bytes that are not UTF-8 with their offset, and binary files as the wrong media type', async () => {
    const bad = await decode([...utf8('a'.repeat(600)), 0xff, 0x41]).catch(e => e)
    expect(bad).toBeInstanceOf(ProblemError)
    expect(bad).toMatchObject({ status: 422, code: 'INVALID_ENCODING', errors: [{ path: 'byte 600' }] })
    const zip = await decode([0x50, 0x4b, 0x03, 0x04, 1, 2]).catch(e => e)
    expect(zip).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' })
    expect(zip.message).toContain('ZIP archive')
    const utf16 = await decode(utf8('a,b\n').flatMap(b => [b, 0])).catch(e => e)
    expect(utf16).toMatchObject({ status: 415 })
  })

  test('firstInvalidUtf8 points at overlong forms, surrogates and stray bytes, not at a cut sequence', () => {
    expect(firstInvalidUtf8(new Uint8Array([0x41, 0xc0, 0x80]))).toBe(1)
    expect(firstInvalidUtf8(new Uint8Array([0x41, 0xe0, 0x80, 0x80]))).toBe(1)
    expect(firstInvalidUtf8(new Uint8Array([0xed, 0xa0, 0x80]))).toBe(0)
    expect(firstInvalidUtf8(new Uint8Array([0x41, 0x80]))).toBe(1)
    expect(firstInvalidUtf8(new Uint8Array([0x41, 0xe2, 0x82]))).toBe(-1)
    expect(firstInvalidUtf8(new Uint8Array(utf8('ok é 😀')))).toBe(-1)
  })
})
