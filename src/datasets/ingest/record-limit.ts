import { type FieldError, ProblemError } from '../../http/problem'

/**
 * The answer to a record (a CSV record, an NDJSON line, a JSON array element) past
 * MAX_RECORD_BYTES, refused as soon as it passes the limit: how long it would have been is not
 * known, and is not waited for. `where` names it (`line 7`, `body.3`).
 */
export function recordTooLong(where: string, what: string, limit: number, extra: Partial<FieldError>): ProblemError {
  const message = `${what} longer than ${limit} bytes, the limit (MAX_RECORD_BYTES)`
  return new ProblemError(422, 'LIMIT_EXCEEDED', `${where}: ${message}`, [{ path: where, message, ...extra }])
}
