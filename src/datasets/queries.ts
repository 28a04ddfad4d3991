import { and, desc, eq, ilike, sql } from 'drizzle-orm'
import type { Database, Executor } from '../db/client'
import { type DatasetRow, datasets } from '../db/schema'
import type { Cursor } from '../http/pagination'
import type { TableSummary } from './ingest/table-builder'

const escapeLike = (text: string) => text.replace(/[\\%_]/g, m => `\\${m}`)

/** Prepared once per database handle: the hot read of the API. */
function prepareFindById(db: Database) {
  return db
    .select()
    .from(datasets)
    .where(eq(datasets.id, sql.placeholder('id')))
    .prepare('dataset_by_id')
}

export type DatasetQueries = ReturnType<typeof createDatasetQueries>

export function createDatasetQueries(db: Database) {
  const findById = prepareFindById(db)
  return {
    async find(id: string): Promise<DatasetRow | null> {
      const [row] = await findById.execute({ id })
      return row ?? null
    },

    list({ q, limit, cursor }: { q?: string; limit: number; cursor?: Cursor }): Promise<DatasetRow[]> {
      return db
        .select()
        .from(datasets)
        .where(
          and(
            q ? ilike(datasets.name, `%${escapeLike(q)}%`) : undefined,
            cursor
              ? sql`(${datasets.createdAt}, ${datasets.id}) < (${cursor.createdAt.toISOString()}::timestamptz, ${cursor.id}::uuid)`
              : undefined,
          ),
        )
        .orderBy(desc(datasets.createdAt), desc(datasets.id))
        .limit(limit + 1)
        .prepare('dataset_list')
        .execute()
    },

    async insert(tx: Executor, values: { name: string; description: string }): Promise<DatasetRow> {
      const [row] = await tx.insert(datasets).values(values).returning()
      return row!
    },

    async update(
      id: string,
      values: { name?: string; description?: string },
      executor: Executor = db,
    ): Promise<DatasetRow | null> {
      const [row] = await executor.update(datasets).set(values).where(eq(datasets.id, id)).returning()
      return row ?? null
    },

    async setData(tx: Executor, id: string, version: number, summary: TableSummary): Promise<DatasetRow | null> {
      const [row] = await tx
        .update(datasets)
        .set({
          version,
          status: 'ready',
          rowCount: summary.rowCount,
          columns: summary.columns,
          sizeBytes: summary.sizeBytes,
          chunkCount: summary.chunkCount,
        })
        .where(eq(datasets.id, id))
        .returning()
      return row ?? null
    },

    async remove(id: string): Promise<boolean> {
      const rows = await db.delete(datasets).where(eq(datasets.id, id)).returning({ id: datasets.id })
      return rows.length > 0
    },
  }
}
