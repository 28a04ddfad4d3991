/** The SQLSTATE of a PostgreSQL error, looking through Drizzle's wrapper. */
export function pgErrorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 3; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code
  }
  return undefined
}

export const NOT_NULL_VIOLATION = '23502'

/**
 * A data exception (SQLSTATE class 22): PostgreSQL refused a value, not the statement; a value
 * out of range, one that cannot be stored in the column's type, a text that cannot be encoded.
 */
export const isDataException = (error: unknown): boolean => pgErrorCode(error)?.startsWith('22') ?? false
