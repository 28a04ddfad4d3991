import { Value } from '@sinclair/typebox/value'
import { type Static, type TSchema, t } from 'elysia'
import { type FieldError, invalid } from '../http/problem'
import type { ColumnInfo } from '../storage/columns'

const ColumnList = t.Array(t.String(), { minItems: 1, maxItems: 1000, uniqueItems: true })

export const ProfileParams = t.Object(
  { columns: t.Optional(ColumnList) },
  { additionalProperties: false, description: 'profile: per-column statistics; all columns unless `columns` is given' },
)

export type ProfileParams = Static<typeof ProfileParams>

type KindSpec = {
  params: TSchema
  /** Checks params against the dataset's columns; returns what is wrong. */
  check(params: never, columns: readonly ColumnInfo[]): FieldError[]
}

function unknownColumns(
  names: readonly string[] | undefined,
  columns: readonly ColumnInfo[],
  path: string,
): FieldError[] {
  const known = new Set(columns.map(c => c.name))
  return (names ?? []).flatMap((name, i) =>
    known.has(name) ? [] : [{ path: `${path}.${i}`, message: `no column named ${JSON.stringify(name)}` }],
  )
}

export const ANALYSES = {
  profile: {
    params: ProfileParams,
    check: (params: ProfileParams, columns) => unknownColumns(params.columns, columns, 'body.params.columns'),
  },
} satisfies Record<string, KindSpec>

export const ANALYSIS_KINDS = ['profile'] as const satisfies readonly (keyof typeof ANALYSES)[]
export type AnalysisKind = (typeof ANALYSIS_KINDS)[number]

export type AnalysisParams = { profile: ProfileParams }

/**
 * Validates an analysis request against the kind's schema and the dataset's columns, and
 * returns the params with their defaults filled in. Everything is checked here, before a task
 * exists, so that a bad request never reaches the queue.
 */
export function validateAnalysis(
  kind: AnalysisKind,
  raw: unknown,
  columns: readonly ColumnInfo[],
): Record<string, unknown> {
  const spec = ANALYSES[kind]
  const params = Value.Default(spec.params, structuredClone(raw ?? {}))
  const schemaErrors = [...Value.Errors(spec.params, params)].map(e => ({
    path: ['body.params', ...e.path.split('/').filter(Boolean)].join('.'),
    message: e.message,
  }))
  if (schemaErrors.length > 0) throw invalid(`Invalid params for ${kind}`, schemaErrors)
  const columnErrors = spec.check(params as never, columns)
  if (columnErrors.length > 0) throw invalid(`Invalid params for ${kind}`, columnErrors)
  return params as Record<string, unknown>
}
