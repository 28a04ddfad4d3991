import { type TLiteral, type TUnion, Type } from '@sinclair/typebox'
import { type DocumentDecoration, type TSchema, t } from 'elysia'
import type { FieldError } from './problem'

/** A plain JSON integer. Elysia's `t.Integer` also accepts numeric strings, which only query strings need. */
export const integer = (options?: Parameters<typeof Type.Integer>[0]) => Type.Integer(options)

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
  const range =
    bounds.maximum === undefined ? `at least ${bounds.minimum}` : `from ${bounds.minimum} to ${bounds.maximum}`
  const fieldError: FieldError = { path: `query.${name}`, message: `must be an integer ${range}` }
  return t.Integer({ ...bounds, error: () => fieldError })
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
