import type { TSchema } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { ValidationError } from 'elysia'

/**
 * A body check for routes that read their body themselves (uploads that stream some media
 * types and parse others): it fails with Elysia's own ValidationError, so the answer is the
 * same 422 problem, field paths included, as a route-level `body` schema gives.
 */
export function bodyCheck<T extends TSchema>(schema: T) {
  const check = TypeCompiler.Compile(schema)
  return (value: unknown): T['static'] => {
    if (!check.Check(value)) throw new ValidationError('body', check, value)
    return value
  }
}
