import type { TSchema } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { INVALID_REQUEST, issueErrors, validationProblem } from './validation'

/**
 * A body check for routes that read their body themselves (uploads that stream some media
 * types and parse others): the answer is the same 422 problem, field paths included, as a
 * route-level `body` schema gives.
 */
export function bodyCheck<T extends TSchema>(schema: T) {
  const check = TypeCompiler.Compile(schema)
  return (value: unknown): T['static'] => {
    if (!check.Check(value)) throw validationProblem(INVALID_REQUEST, issueErrors(check.Errors(value), 'body'))
    return value
  }
}
