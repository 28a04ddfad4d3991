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

/** The client sent nothing for a while: the upload ends, and whatever it started is rolled back. */
export const bodyIdle = (idleMs: number) =>
  new ProblemError(
    408,
    'BODY_IDLE_TIMEOUT',
    `The request body sent nothing for ${idleMs / 1000} s, so the upload was ended and nothing was stored; send it again`,
  )

export type BodyLimits = {
  maxBytes: number
  /** How long the body may send nothing before it is ended. */
  idleMs: number
}

type Reader = ReadableStreamDefaultReader<Uint8Array>

/** The next piece of the body, waiting at most `idleMs` for it. */
async function nextPiece(reader: Reader, idleMs: number): ReturnType<Reader['read']> {
  let timer: Timer | undefined
  const quiet = new Promise<'idle'>(resolve => {
    timer = setTimeout(() => resolve('idle'), idleMs)
  })
  try {
    const next = await Promise.race([reader.read(), quiet])
    if (next === 'idle') throw bodyIdle(idleMs)
    return next
  } catch (error) {
    throw error instanceof ProblemError ? error : bodyIncomplete()
  } finally {
    clearTimeout(timer)
  }
}

/**
 * The bytes of a request body as they arrive, refused with a 413 as soon as they pass
 * `maxBytes` (a declared Content-Length over it is refused before reading anything), and with
 * a 408 when nothing arrives for `idleMs`, so that a client that stalls does not hold an upload
 * slot and a transaction open. A client that goes away mid-body makes the iteration throw, never
 * end quietly, so a half-read upload cannot be taken for a whole one.
 */
export async function* requestBytes(request: Request, { maxBytes, idleMs }: BodyLimits): AsyncGenerator<Uint8Array> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN)
  if (declared > maxBytes) throw tooLarge(maxBytes)
  if (!request.body) return
  const reader = request.body.getReader()
  let total = 0
  try {
    for (;;) {
      const next = await nextPiece(reader, idleMs)
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
export function decodedRequestBytes(request: Request, limits: BodyLimits): AsyncIterable<Uint8Array> {
  const encoding = (request.headers.get('content-encoding') ?? '').trim().toLowerCase()
  if (IDENTITY.has(encoding)) return requestBytes(request, limits)
  if (GZIP.has(encoding)) return gunzip(requestBytes(request, limits), limits.maxBytes)
  throw unsupportedMediaType(`Content-Encoding ${encoding} is not supported; send gzip or no encoding`)
}
