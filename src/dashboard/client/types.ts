/** The API's resources as the dashboard reads them (see DESIGN.md). */

import type { TaskJson, TaskSummaryJson } from '../../tasks/task-json'

export type ColumnType = 'integer' | 'number' | 'boolean' | 'datetime' | 'string'

export type Column = { name: string; type: ColumnType; nullable: boolean }

export type Dataset = {
  id: string
  name: string
  description: string
  status: 'empty' | 'ready'
  row_count: number
  columns: Column[]
  size_bytes: number
  created_at: string
  updated_at: string
}

export type Page<T> = { data: T[]; next_cursor: string | null }

export type Cell = string | number | boolean | null

export type RowsPage = { data: Record<string, Cell>[]; offset: number; limit: number; total: number }

// The server's own lists, so that the dashboard cannot fall behind a new kind or status.
export { ANALYSIS_KINDS, type AnalysisKind } from '../../tasks/kinds'
export { FINAL_STATUSES, type FinalStatus, isFinal, type TaskStatus } from '../../tasks/statuses'

export type Task = TaskJson
/** A task as lists show it: without its result. */
export type TaskSummary = TaskSummaryJson

export type Session = { id: string; name: string; admin: boolean }

export type FieldError = { path: string; message: string }

export type Problem = { status: number; title?: string; detail?: string; code?: string; errors?: FieldError[] }

/* Results, one shape per kind. */

export type Histogram = { edges: number[]; counts: number[] }

export type ProfileColumn = {
  name: string
  type: ColumnType
  count: number
  nulls: number
  distinct: number
  min?: number | string
  max?: number | string
  mean?: number
  std?: number | null
  p25?: number
  p50?: number
  p75?: number
  histogram?: Histogram
  top?: { value: Cell; count: number }[]
}

export type ProfileResult = { row_count: number; columns: ProfileColumn[] }
export type CorrelationResult = { method: string; columns: string[]; matrix: (number | null)[][] }
export type HistogramResult = Histogram & { column: string }
export type GroupbyResult = { by: string[]; rows: Record<string, Cell>[] }
export type RegressionResult = {
  target: string
  features: string[]
  intercept: number
  coefficients: Record<string, number>
  r2: number
  n: number
}
export type OutliersResult = {
  column: string
  method: string
  lower: number
  upper: number
  count: number
  sample_rows: { row: number; value: number }[]
}
