import type { TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import type { FieldError } from './problem'

type Issue = { schema?: unknown; summary?: string; message: string; value?: unknown }

/** A validation message a person can act on; enums list their values instead of "union". */
export function describeIssue(issue: Issue): string {
  if (issue.value === undefined && issue.message === 'Expected required property') return 'is required'
  const options = (issue.schema as { anyOf?: { const?: unknown }[] } | undefined)?.anyOf
  if (options?.length && options.every(o => typeof o.const === 'string'))
    return `must be one of: ${options.map(o => o.const).join(', ')}`
  return issue.summary || issue.message || 'invalid value'
}

/** Field errors of a value against a schema, paths rooted at `base` (e.g. `body.params.bins`). */
export function fieldErrors(schema: TSchema, value: unknown, base: string): FieldError[] {
  const seen = new Set<string>()
  const out: FieldError[] = []
  for (const issue of Value.Errors(schema, value)) {
    const path = [base, ...issue.path.split('/').filter(Boolean)].join('.')
    if (seen.has(path)) continue
    seen.add(path)
    out.push({ path, message: describeIssue(issue) })
  }
  return out
}
