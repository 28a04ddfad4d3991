import { tooLarge } from './body'
import { gunzip } from './gunzip'
import { ProblemError, unsupportedMediaType } from './problem'

/** The client stopped sending before the body was complete; whatever it started is rolled back. */
export const bodyIncomplete = () =>
  new ProblemError(
    400,
    'BODY_INCOMPLETE',
    'The request body ended early: the connection closed before all of it arrived',
  )

/**
 * The bytes of a request body as they arrive, refused with a 413 as soon as they pass
 * `maxBytes` (a declared Content-Length over it is refused before reading anything). A client
 * that goes away mid-body makes the iteration throw, never end quietly, so a half-read upload
 * cannot be taken for a whole one.
 */
export async function* requestBytes(request: Request, maxBytes: number): AsyncGenerator<Uint8Array> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN)
  if (declared > maxBytes) throw tooLarge(maxBytes)
  if (!request.body) return
  const reader = request.body.getReader()
  let total = 0
  try {
    for (;;) {
      let next: Awaited<ReturnType<typeof reader.read>>
      try {
        next = await reader.read()
      } catch {
        throw bodyIncomplete()
      }
      if (next.done) break
      total += next.value.byteLength
      if (total > maxBytes) throw tooLarge(maxBytes)
      yield next.value
    }
  } finally {
    // Stops the transfer when the reading side gave up early (an error, or a refused body).
    await reader.cancel().catch(() => {})
  }
  if (request.signal.aborted) throw bodyIncomplete()
}

const GZIP = new Set(['gzip', 'x-gzip'])
const IDENTITY = new Set(['', 'identity'])

/**
 * The body with its `Content-Encoding` undone: identity or gzip. The limit applies both to the
 * bytes sent and to the bytes they inflate to, so a small gzip bomb is refused like a big body.
 */
export function decodedRequestBytes(request: Request, maxBytes: number): AsyncIterable<Uint8Array> {
  const encoding = (request.headers.get('content-encoding') ?? '').trim().toLowerCase()
  if (IDENTITY.has(encoding)) return requestBytes(request, maxBytes)
  if (GZIP.has(encoding)) return gunzip(requestBytes(request, maxBytes), maxBytes)
  throw unsupportedMediaType(`Content-Encoding ${encoding} is not supported; send gzip or no encoding`)
}
