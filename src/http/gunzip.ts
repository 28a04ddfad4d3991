import { pipeline, Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { ProblemError } from './problem'

export const inflatedTooLarge = (limit: number) =>
  new ProblemError(413, 'PAYLOAD_TOO_LARGE', `The decompressed body is larger than the limit of ${limit} bytes`)

const isZlibError = (error: unknown) => {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && code.startsWith('Z_')
}

/**
 * Inflates gzip data as it is read. node:zlib is used rather than DecompressionStream, which
 * (in Bun 1.4) inflates a whole input piece at once: a 500 KB gzip of zeros took 500 MB of
 * memory there, while zlib's stream waits for its reader and stays flat.
 */
export async function* gunzip(source: AsyncIterable<Uint8Array>, maxBytes: number): AsyncGenerator<Uint8Array> {
  const input = Readable.from(source, { objectMode: false })
  const inflater = createGunzip()
  // Errors of either side surface through the inflater's iteration below.
  pipeline(input, inflater, () => {})
  let total = 0
  try {
    for await (const piece of inflater as AsyncIterable<Uint8Array>) {
      total += piece.byteLength
      if (total > maxBytes) throw inflatedTooLarge(maxBytes)
      yield piece
    }
  } catch (error) {
    if (isZlibError(error))
      throw new ProblemError(400, 'MALFORMED_BODY', 'The body is declared as gzip but is not valid gzip data')
    throw error
  } finally {
    inflater.destroy()
    input.destroy()
  }
}
