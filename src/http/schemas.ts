import { type TLiteral, type TUnion, Type } from '@sinclair/typebox'
import { type DocumentDecoration, type TSchema, t } from 'elysia'
import type { FieldError } from './problem'

/** Integers a double holds exactly; past ±(2^53 − 1) a JSON or query number is no longer the one sent. */
const SAFE = { minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }

/** A plain JSON integer. Elysia's `t.Integer` also accepts numeric strings, which only query strings need. */
export const integer = (options?: Parameters<typeof Type.Integer>[0]) => Type.Integer({ ...SAFE, ...options })

/**
 * Text as PostgreSQL can store and compare it: no NUL (U+0000), which `text` and `jsonb` cannot
 * hold, and no unpaired surrogate, which has no UTF-8 form (PostgreSQL would keep U+FFFD instead,
 * or refuse it in `jsonb`). Written as "nothing bad ahead", which JavaScript's engine matches in
 * one pass (a repeated alternation of the good characters backtracks, and gives up on long text).
 */
const NOT_TEXT = '[\\s\\S]*(?:\\u0000|[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff])'
const TEXT_PATTERN = `^(?!${NOT_TEXT})`
const NON_BLANK_TEXT_PATTERN = `^(?!${NOT_TEXT})(?=\\s*\\S)`

const storable = new RegExp(TEXT_PATTERN)

/** Whether a string is text PostgreSQL can store as it is (see `text`). */
export const isStorableText = (value: string) => storable.test(value)

/** What a string that does not match one of these patterns is told. */
export const PATTERN_MESSAGES: Record<string, string> = {
  [TEXT_PATTERN]: 'must not hold NUL (U+0000) or an unpaired surrogate',
  [NON_BLANK_TEXT_PATTERN]: 'must not be blank, nor hold NUL (U+0000) or an unpaired surrogate',
}

type StringOptions = Parameters<typeof t.String>[0]

/** A string stored or compared in PostgreSQL (see TEXT). */
export const text = (options?: StringOptions) => t.String({ ...options, pattern: TEXT_PATTERN })

/** Such a string with at least one character that is not white space. */
export const nonBlankText = (options?: StringOptions) => t.String({ ...options, pattern: NON_BLANK_TEXT_PATTERN })

export const FieldErrorSchema = t.Object({
  path: t.String(),
  message: t.String(),
  line: t.Optional(integer()),
  row: t.Optional(integer()),
  column: t.Optional(integer()),
})

export const ProblemSchema = t.Object(
  {
    type: t.String(),
    title: t.String(),
    status: integer(),
    detail: t.String(),
    code: t.String({ description: 'stable machine-readable error code' }),
    errors: t.Optional(t.Array(FieldErrorSchema)),
    request_id: t.Optional(t.String()),
  },
  { description: 'RFC 9457 problem details (application/problem+json)' },
)

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'malformed body',
  401: 'missing or invalid credentials',
  403: 'admin rights required',
  404: 'unknown id, malformed id or not yours',
  408: 'the body sent nothing for too long',
  409: 'conflicts with the current state',
  413: 'body too large',
  415: 'unsupported media type',
  422: 'invalid fields or data',
  429: 'rate limited',
  503: 'a dependency is down',
}

/** Response schemas for the problem answers a route can give, for the OpenAPI document. */
export function problems<const S extends readonly number[]>(
  ...statuses: S
): { [K in S[number]]: typeof ProblemSchema } {
  return Object.fromEntries(
    statuses.map(status => [status, t.Object(ProblemSchema.properties, { description: PROBLEM_DESCRIPTIONS[status] })]),
  ) as { [K in S[number]]: typeof ProblemSchema }
}

export const IdParams = t.Object({ id: t.String({ description: 'UUID' }) })

/** A string enum. (Elysia's `t.UnionEnum` silently defaults to its first value, so it is not used.) */
type LiteralUnion<T extends readonly string[]> = TUnion<{ -readonly [K in keyof T]: TLiteral<T[K]> }>

export function oneOf<const T extends readonly [string, ...string[]]>(
  values: T,
  options: { description?: string } = {},
) {
  return t.Union(
    values.map(value => t.Literal(value)),
    options,
  ) as unknown as LiteralUnion<T>
}

/**
 * An integer query parameter. Elysia reports a query number out of range without its name, so
 * the schema carries the field error to answer with.
 */
export function queryInteger(name: string, bounds: { minimum: number; maximum?: number; default: number }) {
  // Past 2^53 − 1 a query number is no longer the one sent (…993 reads as …992, 1e30 passes).
  const { minimum, maximum = Number.MAX_SAFE_INTEGER } = bounds
  const fieldError: FieldError = { path: `query.${name}`, message: `must be an integer from ${minimum} to ${maximum}` }
  return t.Integer({ ...bounds, maximum, error: () => fieldError })
}

export const PageQuery = {
  limit: queryInteger('limit', { minimum: 1, maximum: 500, default: 50 }),
  cursor: t.Optional(t.String({ maxLength: 512, description: 'opaque cursor from a previous page' })),
}

/** The answer of a route that answers 204. */
export const NoContent = t.Void({ description: 'No content' })

export const pageOf = <T extends TSchema>(item: T) =>
  t.Object({ data: t.Array(item), next_cursor: t.Union([t.String(), t.Null()]) })

/**
 * Problem answers as OpenAPI response objects, for routes whose responses are documented by
 * hand (streamed downloads), where `problems` cannot go through a `response` schema.
 */
export function problemResponses(...statuses: number[]): NonNullable<DocumentDecoration['responses']> {
  return Object.fromEntries(
    statuses.map(status => [
      String(status),
      {
        description: PROBLEM_DESCRIPTIONS[status] ?? 'error',
        content: { 'application/problem+json': { schema: ProblemSchema } },
      },
    ]),
    // TypeBox's JSON Schema is what the document needs; only openapi-types' 3.0 typing differs.
  ) as unknown as NonNullable<DocumentDecoration['responses']>
}
