import {
  bigint,
  boolean,
  customType,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  pgEnum,
  pgSequence,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core'
import type { ColumnInfo } from '../storage/columns'
import type { AnalysisKind } from '../tasks/kinds'
import { TASK_STATUSES } from '../tasks/statuses'

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => 'bytea' })

/** Millisecond precision, so that a JS Date read back compares equal (cursors depend on it). */
const timestampMs = (name: string) => timestamp(name, { withTimezone: true, precision: 3 })

/** Data versions come from one sequence, so concurrent replaces never need a lock to number them. */
export const datasetVersionSeq = pgSequence('dataset_version_seq')

export const datasetStatus = pgEnum('dataset_status', ['empty', 'ready'])
export const taskStatus = pgEnum('task_status', TASK_STATUSES)

/**
 * API keys. Only a hash of the secret is kept (the secret is shown once, at creation); a
 * revoked key stays, so that what it created keeps an owner.
 */
export const apiKeys = pgTable('api_keys', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  admin: boolean('admin').notNull().default(false),
  /** SHA-256 of the secret: keys are 256 random bits, so a slow hash would add nothing. */
  secretHash: bytea('secret_hash').notNull().unique(),
  createdAt: timestampMs('created_at').notNull().defaultNow(),
  revokedAt: timestampMs('revoked_at'),
})

/**
 * Values made once and shared by every api process of a deployment, such as the session
 * secret when SESSION_SECRET is unset; the primary key makes concurrent first starts agree on one.
 */
export const instanceSettings = pgTable('instance_settings', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
  createdAt: timestampMs('created_at').notNull().defaultNow(),
})

export const datasets = pgTable(
  'datasets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The key that created it; null for the administrator key from the environment. */
    ownerId: uuid('owner_id').references(() => apiKeys.id),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    status: datasetStatus('status').notNull().default('empty'),
    version: integer('version').notNull().default(0),
    rowCount: bigint('row_count', { mode: 'number' }).notNull().default(0),
    columns: jsonb('columns').$type<ColumnInfo[]>().notNull().default([]),
    sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull().default(0),
    chunkCount: integer('chunk_count').notNull().default(0),
    createdAt: timestampMs('created_at').notNull().defaultNow(),
    updatedAt: timestampMs('updated_at')
      .notNull()
      .defaultNow()
      .$onUpdate(() => new Date()),
  },
  t => [
    index('datasets_created_idx').on(t.createdAt.desc(), t.id.desc()),
    index('datasets_owner_created_idx').on(t.ownerId, t.createdAt.desc(), t.id.desc()),
  ],
)

/** One stored data version of a dataset; a replace writes a new one and points the dataset at it. */
export const datasetVersions = pgTable(
  'dataset_versions',
  {
    datasetId: uuid('dataset_id')
      .notNull()
      .references(() => datasets.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    rowCount: bigint('row_count', { mode: 'number' }).notNull(),
    columns: jsonb('columns').$type<ColumnInfo[]>().notNull(),
    chunkCount: integer('chunk_count').notNull(),
    sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull(),
    createdAt: timestampMs('created_at').notNull().defaultNow(),
  },
  t => [primaryKey({ columns: [t.datasetId, t.version] })],
)

/** Columnar storage: each row is one Arrow IPC record batch of a data version. */
export const datasetChunks = pgTable(
  'dataset_chunks',
  {
    datasetId: uuid('dataset_id').notNull(),
    version: integer('version').notNull(),
    seq: integer('seq').notNull(),
    rowStart: bigint('row_start', { mode: 'number' }).notNull(),
    rowCount: integer('row_count').notNull(),
    data: bytea('data').notNull(),
  },
  t => [
    primaryKey({ columns: [t.datasetId, t.version, t.seq] }),
    foreignKey({
      columns: [t.datasetId, t.version],
      foreignColumns: [datasetVersions.datasetId, datasetVersions.version],
    }).onDelete('cascade'),
  ],
)

export const tasks = pgTable(
  'tasks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    datasetId: uuid('dataset_id')
      .notNull()
      .references(() => datasets.id, { onDelete: 'cascade' }),
    datasetVersion: integer('dataset_version').notNull(),
    kind: text('kind').$type<AnalysisKind>().notNull(),
    params: jsonb('params').$type<Record<string, unknown>>().notNull().default({}),
    status: taskStatus('status').notNull().default('pending'),
    progress: doublePrecision('progress').notNull().default(0),
    stage: text('stage'),
    rowsProcessed: bigint('rows_processed', { mode: 'number' }).notNull().default(0),
    result: jsonb('result'),
    error: text('error'),
    attempts: integer('attempts').notNull().default(0),
    /** Set by a cancel of a running task; its threads stop and the task ends cancelled, not failed. */
    cancelRequested: boolean('cancel_requested').notNull().default(false),
    createdAt: timestampMs('created_at').notNull().defaultNow(),
    startedAt: timestampMs('started_at'),
    finishedAt: timestampMs('finished_at'),
    updatedAt: timestampMs('updated_at')
      .notNull()
      .defaultNow()
      .$onUpdate(() => new Date()),
  },
  // No index covers status or progress: a task changes them often, and without an index on them
  // those updates stay HOT (see the fillfactor in drizzle/0001_storage_tuning.sql).
  t => [index('tasks_created_idx').on(t.createdAt.desc(), t.id.desc()), index('tasks_dataset_idx').on(t.datasetId)],
)

/**
 * `Idempotency-Key` of POST …/process: the same key from the same caller within 24 h answers
 * the task created the first time. The request's hash tells a replay from a reuse of the key.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    caller: text('caller').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    taskId: uuid('task_id')
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    createdAt: timestampMs('created_at').notNull().defaultNow(),
  },
  t => [primaryKey({ columns: [t.caller, t.key] })],
)

export type ApiKeyRow = typeof apiKeys.$inferSelect
export type DatasetRow = typeof datasets.$inferSelect
export type DatasetVersionRow = typeof datasetVersions.$inferSelect
export type TaskRow = typeof tasks.$inferSelect
