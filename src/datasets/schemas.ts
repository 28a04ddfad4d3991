import { t } from 'elysia'
import { integer, nonBlankText, oneOf, PageQuery, queryInteger, text } from '../http/schemas'
import { COLUMN_TYPES } from '../storage/columns'

export const ColumnSchema = t.Object({
  name: t.String(),
  type: oneOf(COLUMN_TYPES),
  nullable: t.Boolean(),
})

export const DatasetSchema = t.Object({
  id: t.String({ format: 'uuid' }),
  name: t.String(),
  description: t.String(),
  status: oneOf(['empty', 'ready']),
  row_count: integer(),
  columns: t.Array(ColumnSchema),
  size_bytes: integer(),
  created_at: t.String({ format: 'date-time' }),
  updated_at: t.String({ format: 'date-time' }),
})

const Name = nonBlankText({ minLength: 1, maxLength: 200, description: '1–200 characters, not blank' })
const Description = text({ maxLength: 10_000 })
export const CellSchema = t.Union([t.String(), t.Number(), t.Boolean(), t.Null()])

/** The fields a dataset is created with, besides its data. */
export const DatasetFields = { name: Name, description: t.Optional(Description) }

export const CreateDatasetBody = t.Object(
  {
    ...DatasetFields,
    rows: t.Optional(t.Array(t.Record(t.String(), CellSchema), { description: 'inline data: one object per row' })),
    csv: t.Optional(t.String({ description: 'inline data: CSV text with a header row' })),
  },
  { additionalProperties: false },
)

export const ReplaceDatasetBody = t.Object(
  { name: Name, description: t.Optional(Description) },
  { additionalProperties: false },
)

export const PatchDatasetBody = t.Object(
  { name: t.Optional(Name), description: t.Optional(Description) },
  { additionalProperties: false },
)

export const ListDatasetsQuery = t.Object({
  ...PageQuery,
  q: t.Optional(text({ maxLength: 200, description: 'case-insensitive substring of the name' })),
})

export const RowsQuery = t.Object({
  offset: queryInteger('offset', { minimum: 0, default: 0 }),
  limit: queryInteger('limit', { minimum: 1, maximum: 1000, default: 100 }),
})

export const RowsPage = t.Object({
  data: t.Array(t.Record(t.String(), CellSchema)),
  offset: integer(),
  limit: integer(),
  total: integer(),
})

export type CreateDatasetInput = typeof CreateDatasetBody.static
export type PatchDatasetInput = typeof PatchDatasetBody.static
