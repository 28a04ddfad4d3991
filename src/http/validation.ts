import type { TSchema } from '@sinclair/typebox'
import { type ValueError, ValueErrorType } from '@sinclair/typebox/errors'
import { Value } from '@sinclair/typebox/value'
import type { ValidationError } from 'elysia'
import { type FieldError, invalid, type ProblemError } from './problem'
import { PATTERN_MESSAGES } from './schemas'

/** Field errors one answer lists at most; its detail says how many more there are. */
export const MAX_FIELD_ERRORS = 64

/**
 * Issues counted past the listed ones before counting stops. Counting costs no memory, but
 * each issue costs the validator some work, and a body can hold millions of them.
 */
export const MAX_COUNTED_ERRORS = 10_000

/** A validation message a person can act on; enums list their values instead of "union". */
function describeIssue(issue: ValueError): string {
  if (issue.value === undefined && issue.type === ValueErrorType.ObjectRequiredProperty) return 'is required'
  const options = (issue.schema as { anyOf?: { const?: unknown }[] }).anyOf
  if (options?.length && options.every(o => typeof o.const === 'string'))
    return `must be one of: ${options.map(o => o.const).join(', ')}`
  const pattern = (issue.schema as { pattern?: unknown }).pattern
  if (issue.type === ValueErrorType.StringPattern && typeof pattern === 'string' && pattern in PATTERN_MESSAGES)
    return PATTERN_MESSAGES[pattern]!
  return issue.message || 'invalid value'
}

/**
 * TypeBox's issues as field errors rooted at `base` (e.g. `body.params`), one at a time as the
 * validator finds them: nothing is built for the issues nobody reads. A missing property is
 * reported twice (required, then of the wrong type): only the first of a run on one path is kept.
 */
export function* issueErrors(issues: Iterable<ValueError>, base: string): Generator<FieldError> {
  let previous: string | undefined
  for (const issue of issues) {
    const path = issue.path === '' ? base : `${base}${issue.path.replaceAll('/', '.')}`
    if (path === previous) continue
    previous = path
    yield { path, message: describeIssue(issue) }
  }
}

export type FieldErrorList = {
  errors: FieldError[]
  /** Errors found past the listed ones. */
  unlisted: number
  /** Whether counting stopped at MAX_COUNTED_ERRORS, so that there may be more still. */
  countStopped: boolean
}

/**
 * The first MAX_FIELD_ERRORS field errors, one per path, and a count of the rest up to
 * MAX_COUNTED_ERRORS; the source is read no further, so a body with millions of bad values
 * costs what one with ten thousand does.
 */
export function listFieldErrors(source: Iterable<FieldError>): FieldErrorList {
  const errors: FieldError[] = []
  const listed = new Set<string>()
  let unlisted = 0
  for (const error of source) {
    if (listed.has(error.path)) continue
    if (errors.length < MAX_FIELD_ERRORS) {
      listed.add(error.path)
      errors.push(error)
    } else if (++unlisted >= MAX_COUNTED_ERRORS) return { errors, unlisted, countStopped: true }
  }
  return { errors, unlisted, countStopped: false }
}

/** A detail that says how many errors the answer leaves out, if any. */
export function detailWithCount(detail: string, list: FieldErrorList): string {
  if (list.unlisted === 0) return detail
  const more = list.countStopped ? `at least ${list.unlisted.toLocaleString('en')}` : list.unlisted.toLocaleString('en')
  return `${detail} (the first ${list.errors.length} errors are listed; ${more} more are not)`
}

/** The detail of a request that fails its route's schema. */
export const INVALID_REQUEST = 'The request is invalid; see errors'

/** A 422 problem listing (a bounded number of) these field errors. */
export function validationProblem(detail: string, source: Iterable<FieldError>): ProblemError {
  const list = listFieldErrors(source)
  return invalid(detailWithCount(detail, list), list.errors)
}

/** The field errors of a value against a schema, rooted at `base`; none when it is valid. */
export function schemaErrors(schema: TSchema, value: unknown, base: string): FieldErrorList {
  return listFieldErrors(issueErrors(Value.Errors(schema, value), base))
}

const PARTS = new Set(['body', 'query', 'params', 'headers'])

const isFieldError = (value: unknown): value is FieldError =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as FieldError).path === 'string' &&
  typeof (value as FieldError).message === 'string'

/**
 * The field errors of Elysia's own validation failure, read from its validator afresh and
 * lazily (its `all` stops at 64 without saying so). A schema's custom error, where it gives a
 * field error, stands for all of them (see `queryInteger`).
 */
export function elysiaValidationErrors(error: Readonly<ValidationError>): FieldErrorList {
  if (isFieldError(error.customError)) return { errors: [error.customError], unlisted: 0, countStopped: false }
  const base = PARTS.has(error.type) ? error.type : 'request'
  const validator = error.validator as TSchema | { Errors(value: unknown): Iterable<ValueError> }
  const issues = 'Errors' in validator ? validator.Errors(error.value) : Value.Errors(validator as TSchema, error.value)
  return listFieldErrors(issueErrors(issues, base))
}
