import type { TSchema } from '@sinclair/typebox'
import { bodyCheck } from './check-body'
import { ProblemError, unsupportedMediaType } from './problem'

export const tooLarge = (limit: number) =>
  new ProblemError(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than the limit of ${limit} bytes`)

const malformed = (detail: string) => new ProblemError(400, 'MALFORMED_BODY', detail)

/** Deeper than any body of this API needs; deeper still costs parsers and validators their stack. */
export const MAX_JSON_DEPTH = 64

/**
 * Whether JSON text nests arrays and objects deeper than `limit`, by one pass over its
 * brackets (strings skipped). Checked before parsing: a body of a hundred thousand `[` parses,
 * but validating and reporting it exhausts the stack.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22) {
      // skip a string, escapes included
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i)
        if (d === 0x5c) i++
        else if (d === 0x22) break
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true
    } else if (c === 0x5d || c === 0x7d) depth--
  }
  return false
}

/** Reads a whole body as text, refusing it as soon as it grows past `maxBytes`. */
export async function readTextCapped(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN)
  if (declared > maxBytes) throw tooLarge(maxBytes)
  if (!request.body) return ''
  // A declared length within the limit is enforced by the server, so the body can be read whole.
  if (declared >= 0) return request.text()
  const parts: Uint8Array[] = []
  let total = 0
  for await (const part of request.body) {
    total += part.byteLength
    if (total > maxBytes) throw tooLarge(maxBytes)
    parts.push(part)
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(parts))
}

/**
 * A route-level parser for JSON bodies: anything but `application/json` is a 415, a body that
 * is not JSON a 400, and an empty body becomes `emptyValue` where the route allows one. The
 * trailing 'application/json' is never reached (this parser always answers); it tells the
 * OpenAPI generator which media type the route takes.
 *
 * With the route's body `schema`, the body is checked here too, so that Elysia's validator only
 * ever sees valid bodies: its ValidationError copies the whole value into its message (several
 * times over, with every error's value, outside production), which a big bad body would pay for.
 */
export function jsonBody(maxBytes: number, { emptyValue, schema }: { emptyValue?: unknown; schema?: TSchema } = {}) {
  const parse = parseJson(maxBytes, emptyValue)
  if (!schema) return [parse, 'application/json' as const]
  const check = bodyCheck(schema)
  return [async (context: { request: Request }) => check(await parse(context)), 'application/json' as const]
}

/**
 * Reads and parses a JSON body the way `jsonBody` does, for routes that parse their body
 * themselves; `parse` may replace JSON.parse (to keep big integers exact, say).
 */
export const readJson = (
  request: Request,
  maxBytes: number,
  parse: (text: string) => unknown = JSON.parse,
): Promise<unknown> => parseJson(maxBytes, undefined, parse)({ request })

function parseJson(maxBytes: number, emptyValue: unknown, parse: (text: string) => unknown = JSON.parse) {
  return async ({ request }: { request: Request }): Promise<unknown> => {
    const type = request.headers.get('content-type')
    const isJson = type !== null && /^application\/(?:[\w.+-]+\+)?json\b/i.test(type)
    if (type !== null && !isJson) throw unsupportedMediaType(`Send the body as application/json (got ${type})`)
    const raw = await readTextCapped(request, maxBytes)
    if (raw.trim() === '') {
      if (emptyValue !== undefined) return emptyValue
      throw isJson ? malformed('The request body is empty') : unsupportedMediaType('Send the body as application/json')
    }
    if (!isJson) throw unsupportedMediaType('Send the body as application/json (no content type was given)')
    if (nestsDeeperThan(raw, MAX_JSON_DEPTH))
      throw new ProblemError(400, 'JSON_TOO_DEEP', `The JSON body nests more than ${MAX_JSON_DEPTH} levels deep`)
    try {
      return parse(raw)
    } catch {
      throw malformed('The request body is not valid JSON')
    }
  }
}
