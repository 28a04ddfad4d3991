/** The logical column types of a dataset, as the API reports them. */
export const COLUMN_TYPES = ['integer', 'number', 'boolean', 'datetime', 'string'] as const
export type ColumnType = (typeof COLUMN_TYPES)[number]

export type ColumnInfo = { name: string; type: ColumnType; nullable: boolean }

export const isNumericType = (type: ColumnType): boolean => type === 'integer' || type === 'number'
