import { type FieldError, ProblemError } from '../../http/problem'
import type { JsonCell } from '../../storage/columns'
import { RecordError, type TableBuilder, type TableSummary } from './table-builder'

export type JsonRecord = Readonly<Record<string, JsonCell>>

/** Turns a builder's record error into a problem that points at the JSON array element. */
export function recordProblem(error: RecordError, path: (index: number) => string): ProblemError {
  const where = path(error.record - 1)
  return new ProblemError(422, error.code, `${where}: ${error.message}`, [
    { path: where, message: error.message, row: error.record },
  ])
}

export const emptyDataset = (detail: string) => new ProblemError(422, 'EMPTY_DATASET', detail)

const badRecord = (path: string, message: string, extra: Partial<FieldError> = {}) =>
  new ProblemError(422, 'INVALID_RECORD', `${path}: ${message}`, [{ path, message, ...extra }])

/**
 * A parsed JSON value as a record: an object whose values are strings, numbers, booleans or
 * null. `where` names it in errors (`line 7`, `body.3`); `extra` adds its line or row number.
 */
export function asRecord(value: unknown, where: string, extra: Partial<FieldError> = {}): JsonRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw badRecord(
      where,
      `expected an object, found ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`,
      extra,
    )
  const record = value as Record<string, unknown>
  for (const key in record) {
    const cell = record[key]
    if (typeof cell === 'object' && cell !== null)
      throw badRecord(`${where}.${key}`, 'a cell must be a string, number, boolean or null, not a nested value', extra)
  }
  return record as JsonRecord
}

/** Feeds an in-memory array of JSON records (the inline `rows` of a request body). */
export async function ingestJsonRecords(
  builder: TableBuilder,
  records: readonly JsonRecord[],
  path: (index: number) => string,
): Promise<TableSummary> {
  try {
    for (const record of records) await builder.addRecord(record)
  } catch (error) {
    throw error instanceof RecordError ? recordProblem(error, path) : error
  }
  const summary = await builder.finish()
  if (summary.rowCount === 0) throw emptyDataset('The data holds no rows')
  return summary
}
