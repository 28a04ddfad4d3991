import { describe, expect, test } from 'bun:test'
import { gzipSync } from 'node:zlib'
import { gunzip } from '../../../src/http/gunzip'

async function* piecesOf(bytes: Uint8Array, size: number) {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size)
}

async function inflate(bytes: Uint8Array, maxBytes: number): Promise<number> {
  let total = 0
  for await (const piece of gunzip(piecesOf(bytes, 1000), maxBytes)) total += piece.byteLength
  return total
}

describe('gunzip', () => {
  test('inflates a stream cut into pieces', async () => {
    expect(await inflate(gzipSync('x'.repeat(100_000)), 1e6)).toBe(100_000)
  })

  test('stops a gzip bomb at the limit without inflating it all', async () => {
    const bomb = gzipSync(new Uint8Array(200 * 1024 * 1024))
    const before = process.memoryUsage.rss()
    const error = await inflate(bomb, 1024 * 1024).catch(e => e)
    expect(error).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' })
    expect(process.memoryUsage.rss() - before).toBeLessThan(50 * 1024 * 1024)
  })

  test('refuses data that is not gzip, and gzip cut short', async () => {
    expect(await inflate(new TextEncoder().encode('plain text'), 1e6).catch(e => e)).toMatchObject({
      status: 400,
      code: 'MALFORMED_BODY',
    })
    const whole = gzipSync('y'.repeat(10_000))
    expect(await inflate(whole.subarray(0, whole.length - 10), 1e6).catch(e => e)).toMatchObject({ status: 400 })
  })
})
