/** The logical column types of a dataset, as the API reports them. */
export const COLUMN_TYPES = ['integer', 'number', 'boolean', 'datetime', 'string'] as const
export type ColumnType = (typeof COLUMN_TYPES)[number]

export type ColumnInfo = { name: string; type: ColumnType; nullable: boolean }

/** A cell as JSON carries it, into an upload and out of the rows, exports and results. */
export type JsonCell = string | number | boolean | null

export const isNumericType = (type: ColumnType): boolean => type === 'integer' || type === 'number'
