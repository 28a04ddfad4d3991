import type { Column, ColumnType } from '../types'
import { aggregationsField } from './aggregations-field'
import { checkboxGroup, type Field, numberField, type Option, selectField } from './fields'

/** The fields of one kind of analysis, and how to read its params from them. */
export type ParamsForm = { fields: Field<unknown>[]; read(): Record<string, unknown> }

const NUMERIC: readonly ColumnType[] = ['integer', 'number']

const choices = (columns: readonly Column[]): Option[] =>
  columns.map(c => ({ value: c.name, label: `${c.name} (${c.type})` }))
const numeric = (columns: readonly Column[]) => columns.filter(c => NUMERIC.includes(c.type))

/** Leaves out what the user left empty, so the API applies its defaults. */
export function compactParams(params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(params).filter(([, value]) => value !== undefined && !(Array.isArray(value) && value.length === 0)),
  )
}

function profileForm(columns: readonly Column[]): ParamsForm {
  const picked = checkboxGroup({
    key: 'columns',
    legend: 'Columns',
    choices: choices(columns),
    hint: 'None ticked: all columns.',
  })
  return { fields: [picked], read: () => compactParams({ columns: picked.read() }) }
}

function correlationForm(columns: readonly Column[]): ParamsForm {
  const method = selectField({
    key: 'method',
    label: 'Method',
    choices: [
      { value: 'pearson', label: 'Pearson (linear)' },
      { value: 'spearman', label: 'Spearman (rank)' },
    ],
  })
  const picked = checkboxGroup({
    key: 'columns',
    legend: 'Columns',
    choices: choices(numeric(columns)),
    hint: 'None ticked: every numeric column.',
  })
  return { fields: [method, picked], read: () => compactParams({ method: method.read(), columns: picked.read() }) }
}

function histogramForm(columns: readonly Column[]): ParamsForm {
  const column = selectField({ key: 'column', label: 'Column', choices: choices(numeric(columns)) })
  const bins = numberField({ key: 'bins', label: 'Bins', value: 20, min: 1, step: '1' })
  return { fields: [column, bins], read: () => compactParams({ column: column.read(), bins: bins.read() }) }
}

function groupbyForm(columns: readonly Column[]): ParamsForm {
  const by = checkboxGroup({ key: 'by', legend: 'Group by', choices: choices(columns) })
  const firstNumeric = numeric(columns)[0]
  const aggregations = aggregationsField(
    columns,
    firstNumeric ? { fn: 'mean', column: firstNumeric.name } : columns[0] && { fn: 'count', column: columns[0].name },
  )
  return { fields: [by, aggregations], read: () => ({ by: by.read(), aggregations: aggregations.read() }) }
}

function regressionForm(columns: readonly Column[]): ParamsForm {
  const candidates = choices(numeric(columns))
  const target = selectField({ key: 'target', label: 'Target', choices: candidates })
  const features = checkboxGroup({ key: 'features', legend: 'Features', choices: candidates })
  return { fields: [target, features], read: () => ({ target: target.read(), features: features.read() }) }
}

function outliersForm(columns: readonly Column[]): ParamsForm {
  const column = selectField({ key: 'column', label: 'Column', choices: choices(numeric(columns)) })
  const method = selectField({
    key: 'method',
    label: 'Method',
    choices: [
      { value: 'iqr', label: 'Interquartile range' },
      { value: 'zscore', label: 'Z-score' },
    ],
  })
  const threshold = numberField({
    key: 'threshold',
    label: 'Threshold',
    placeholder: '1.5 (IQR) or 3 (z-score)',
    hint: 'Empty: the method’s default.',
  })
  return {
    fields: [column, method, threshold],
    read: () => compactParams({ column: column.read(), method: method.read(), threshold: threshold.read() }),
  }
}

export const PARAMS_FORMS = {
  profile: profileForm,
  correlation: correlationForm,
  histogram: histogramForm,
  groupby: groupbyForm,
  regression: regressionForm,
  outliers: outliersForm,
} satisfies Record<string, (columns: readonly Column[]) => ParamsForm>
