import { type Static, type TSchema, t } from 'elysia'
import { jsonLargerThan } from '../http/json-size'
import { type FieldError, invalid, ProblemError } from '../http/problem'
import { integer, oneOf } from '../http/schemas'
import { detailWithCount, schemaErrors, validationProblem } from '../http/validation'
import { type ColumnInfo, isNumericType } from '../storage/columns'
import { DEFAULT_MAX_GROUPS, MAX_GROUPS_LIMIT } from './groupby-limits'
import type { AnalysisKind } from './kinds'

const ColumnName = t.String({ minLength: 1 })
const ColumnList = (minItems: number) => t.Array(ColumnName, { minItems, maxItems: 1000, uniqueItems: true })

export const ProfileParams = t.Object(
  { columns: t.Optional(ColumnList(1)) },
  { additionalProperties: false, description: 'per-column statistics; all columns unless `columns` is given' },
)

export const CorrelationParams = t.Object(
  {
    columns: t.Optional(ColumnList(2)),
    method: t.Optional(oneOf(['pearson', 'spearman'])),
  },
  {
    additionalProperties: false,
    description:
      'correlation matrix of numeric columns (all of them unless `columns` is given); `method` pearson (default) or spearman',
  },
)

export const HistogramParams = t.Object(
  { column: ColumnName, bins: t.Optional(integer({ minimum: 1, maximum: 10_000 })) },
  {
    additionalProperties: false,
    description: 'equal-width histogram of a numeric column, NumPy semantics; `bins` defaults to 20',
  },
)

export const GROUPBY_FUNCTIONS = ['count', 'sum', 'mean', 'min', 'max', 'std', 'median'] as const
export type GroupbyFunction = (typeof GROUPBY_FUNCTIONS)[number]

export const GroupbyParams = t.Object(
  {
    by: t.Array(ColumnName, { minItems: 1, maxItems: 10, uniqueItems: true }),
    aggregations: t.Array(
      t.Object({ column: ColumnName, fn: oneOf(GROUPBY_FUNCTIONS) }, { additionalProperties: false }),
      {
        minItems: 1,
        maxItems: 100,
      },
    ),
    max_groups: t.Optional(
      integer({
        minimum: 1,
        maximum: MAX_GROUPS_LIMIT,
        description: `the most groups the analysis may make (default ${DEFAULT_MAX_GROUPS}); more fail the task`,
      }),
    ),
  },
  {
    additionalProperties: false,
    description: `rows grouped by the \`by\` columns (null keys form their own group), one output per aggregation; an analysis that would make more than \`max_groups\` groups (default ${DEFAULT_MAX_GROUPS}, at most ${MAX_GROUPS_LIMIT}) fails`,
  },
)

export const RegressionParams = t.Object(
  { target: ColumnName, features: t.Array(ColumnName, { minItems: 1, maxItems: 100, uniqueItems: true }) },
  { additionalProperties: false, description: 'ordinary least squares of `target` on `features`, with an intercept' },
)

export const OutliersParams = t.Object(
  {
    column: ColumnName,
    method: oneOf(['iqr', 'zscore']),
    threshold: t.Optional(t.Number({ exclusiveMinimum: 0, maximum: 1e6 })),
  },
  {
    additionalProperties: false,
    description: 'values outside Q1 − t·IQR … Q3 + t·IQR (iqr, t = 1.5) or mean ∓ t·std (zscore, t = 3)',
  },
)

export type ProfileParams = Static<typeof ProfileParams>
export type CorrelationParams = Static<typeof CorrelationParams>
export type HistogramParams = Static<typeof HistogramParams>
export type GroupbyParams = Static<typeof GroupbyParams>
export type RegressionParams = Static<typeof RegressionParams>
export type OutliersParams = Static<typeof OutliersParams>

/** The columns a kind may read, by type: anything, or numbers only. */
type Needs = 'any' | 'numeric'

/** Checks that every named column exists and has a type the kind can use. */
function columnErrors(
  names: readonly string[],
  columns: readonly ColumnInfo[],
  path: (i: number) => string,
  needs: Needs,
): FieldError[] {
  const types = new Map(columns.map(c => [c.name, c.type]))
  return names.flatMap((name, i): FieldError[] => {
    const type = types.get(name)
    if (type === undefined) return [{ path: path(i), message: `no column named ${JSON.stringify(name)}` }]
    if (needs === 'numeric' && !isNumericType(type))
      return [
        { path: path(i), message: `column ${JSON.stringify(name)} is ${type}; this analysis needs a numeric column` },
      ]
    return []
  })
}

const numericColumns = (columns: readonly ColumnInfo[]) => columns.filter(c => isNumericType(c.type)).map(c => c.name)

type KindSpec<P> = {
  params: TSchema
  /** What is wrong with the params for these columns; fills in column-dependent defaults. */
  check(params: P, columns: readonly ColumnInfo[]): FieldError[]
}

const profile: KindSpec<ProfileParams> = {
  params: ProfileParams,
  check: (p, columns) => columnErrors(p.columns ?? [], columns, i => `body.params.columns.${i}`, 'any'),
}

const correlation: KindSpec<CorrelationParams> = {
  params: CorrelationParams,
  check(p, columns) {
    p.method ??= 'pearson'
    if (p.columns) return columnErrors(p.columns, columns, i => `body.params.columns.${i}`, 'numeric')
    p.columns = numericColumns(columns)
    return p.columns.length >= 2
      ? []
      : [{ path: 'body.params.columns', message: 'the dataset has fewer than two numeric columns to correlate' }]
  },
}

const histogram: KindSpec<HistogramParams> = {
  params: HistogramParams,
  check(p, columns) {
    p.bins ??= 20
    return columnErrors([p.column], columns, () => 'body.params.column', 'numeric')
  },
}

const groupby: KindSpec<GroupbyParams> = {
  params: GroupbyParams,
  check(p, columns) {
    p.max_groups ??= DEFAULT_MAX_GROUPS
    const errors = columnErrors(p.by, columns, i => `body.params.by.${i}`, 'any')
    const seen = new Set<string>()
    p.aggregations.forEach(({ column, fn }, i) => {
      const path = `body.params.aggregations.${i}.column`
      errors.push(...columnErrors([column], columns, () => path, fn === 'count' ? 'any' : 'numeric'))
      const output = `${fn}_${column}`
      if (seen.has(output))
        errors.push({ path: `body.params.aggregations.${i}`, message: `${output} is asked for twice` })
      seen.add(output)
    })
    return errors
  },
}

const regression: KindSpec<RegressionParams> = {
  params: RegressionParams,
  check(p, columns) {
    const errors = [
      ...columnErrors([p.target], columns, () => 'body.params.target', 'numeric'),
      ...columnErrors(p.features, columns, i => `body.params.features.${i}`, 'numeric'),
    ]
    const i = p.features.indexOf(p.target)
    if (i >= 0) errors.push({ path: `body.params.features.${i}`, message: 'the target cannot also be a feature' })
    return errors
  },
}

export const DEFAULT_OUTLIER_THRESHOLD = { iqr: 1.5, zscore: 3 } as const

const outliers: KindSpec<OutliersParams> = {
  params: OutliersParams,
  check(p, columns) {
    p.threshold ??= DEFAULT_OUTLIER_THRESHOLD[p.method]
    return columnErrors([p.column], columns, () => 'body.params.column', 'numeric')
  },
}

export const ANALYSES = { profile, correlation, histogram, groupby, regression, outliers } as const satisfies {
  [K in AnalysisKind]: KindSpec<AnalysisParams[K]>
}

export type AnalysisParams = {
  profile: ProfileParams
  correlation: CorrelationParams
  histogram: HistogramParams
  groupby: GroupbyParams
  regression: RegressionParams
  outliers: OutliersParams
}

/** Params larger than `maxBytes` of JSON are refused before anything walks them further. */
export function checkParamsSize(raw: unknown, maxBytes: number): void {
  if (jsonLargerThan(raw ?? {}, maxBytes))
    throw new ProblemError(
      422,
      'LIMIT_EXCEEDED',
      `The params are larger than ${maxBytes} bytes of JSON, the limit (MAX_PARAMS_BYTES)`,
      [{ path: 'body.params', message: `larger than ${maxBytes} bytes` }],
    )
}

/**
 * Validates an analysis request against the kind's schema and the dataset's columns, and
 * returns the params with every default filled in, so the task records exactly what ran.
 * Everything is checked here, before a task exists: a bad request never reaches the queue.
 */
export function validateAnalysis(
  kind: AnalysisKind,
  raw: unknown,
  columns: readonly ColumnInfo[],
): Record<string, unknown> {
  const spec = ANALYSES[kind] as KindSpec<unknown>
  const params = structuredClone(raw ?? {})
  const detail = `Invalid params for ${kind}`
  const wrong = schemaErrors(spec.params, params, 'body.params')
  if (wrong.errors.length > 0) throw invalid(detailWithCount(detail, wrong), wrong.errors)
  const columnProblems = spec.check(params, columns)
  if (columnProblems.length > 0) throw validationProblem(detail, columnProblems)
  return params as Record<string, unknown>
}
