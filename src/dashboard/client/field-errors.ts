import type { FieldError } from './types'

export type GroupedErrors = { byField: Map<string, string[]>; general: string[] }

/**
 * Sorts the API's field errors by the form field they are about: with the prefix `body.params`,
 * `body.params.features.2` belongs to the field `features`. Errors about no known field (the
 * body as a whole, or a field the form does not show) are kept for the form's summary, with
 * their path, so nothing the API said is lost.
 */
export function groupFieldErrors(
  errors: readonly FieldError[],
  prefix: string,
  fields: readonly string[],
): GroupedErrors {
  const byField = new Map<string, string[]>()
  const general: string[] = []
  for (const { path, message } of errors) {
    const field = path.startsWith(`${prefix}.`) ? path.slice(prefix.length + 1).split('.')[0]! : null
    if (field !== null && fields.includes(field)) byField.set(field, [...(byField.get(field) ?? []), message])
    else general.push(`${path}: ${message}`)
  }
  return { byField, general }
}

/** The lines of a form's error summary: the problem's detail, then what it does not already say. */
export const summaryLines = (detail: string, general: readonly string[]) => [
  detail,
  ...general.filter(line => !detail.includes(line)),
]
