/** The API's resources as the dashboard reads them (see DESIGN.md). */

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

export const ANALYSIS_KINDS = ['profile', 'correlation', 'histogram', 'groupby', 'regression', 'outliers'] as const
export type AnalysisKind = (typeof ANALYSIS_KINDS)[number]

export const FINAL_STATUSES = ['completed', 'failed', 'cancelled'] as const
export type FinalStatus = (typeof FINAL_STATUSES)[number]
export type TaskStatus = 'pending' | 'running' | FinalStatus

export type Task = {
  id: string
  dataset_id: string
  kind: AnalysisKind
  params: Record<string, unknown>
  status: TaskStatus
  progress: number
  stage: string | null
  result: unknown
  error: string | null
  attempts: number
  created_at: string
  started_at: string | null
  finished_at: string | null
  /** Set by event streams when the result was too large to travel with the event. */
  result_omitted?: true
}

export const isFinal = (status: TaskStatus): status is FinalStatus =>
  (FINAL_STATUSES as readonly string[]).includes(status)

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
