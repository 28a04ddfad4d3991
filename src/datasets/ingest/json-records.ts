import { ProblemError } from '../../http/problem'
import type { JsonCell } from './cells'
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
