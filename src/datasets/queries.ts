import { and, desc, eq, ilike, sql } from 'drizzle-orm'
import type { Database, Executor } from '../db/client'
import { type DatasetRow, datasets } from '../db/schema'
import type { Cursor } from '../http/pagination'
import type { TableSummary } from './ingest/table-builder'

const escapeLike = (text: string) => text.replace(/[\\%_]/g, m => `\\${m}`)

/** Rows an owner may see: its own, or all of them for a null owner (an administrator). */
const ownedBy = (owner: string | null) => (owner === null ? undefined : eq(datasets.ownerId, owner))

/** Prepared once per database handle: the hot read of the API. */
function prepareFindById(db: Database) {
  const owner = sql.placeholder('owner')
  return db
    .select()
    .from(datasets)
    .where(
      and(
        eq(datasets.id, sql.placeholder('id')),
        sql`(${owner}::uuid is null or ${datasets.ownerId} = ${owner}::uuid)`,
      ),
    )
    .prepare('dataset_by_id')
}

export type DatasetQueries = ReturnType<typeof createDatasetQueries>

export function createDatasetQueries(db: Database) {
  const findById = prepareFindById(db)
  return {
    /** The dataset, if `owner` may see it (null: anyone's). */
    async find(id: string, owner: string | null): Promise<DatasetRow | null> {
      const [row] = await findById.execute({ id, owner })
      return row ?? null
    },

    list({
      owner,
      q,
      limit,
      cursor,
    }: {
      owner: string | null
      q?: string
      limit: number
      cursor?: Cursor
    }): Promise<DatasetRow[]> {
      return db
        .select()
        .from(datasets)
        .where(
          and(
            ownedBy(owner),
            q ? ilike(datasets.name, `%${escapeLike(q)}%`) : undefined,
            cursor
              ? sql`(${datasets.createdAt}, ${datasets.id}) < (${cursor.createdAt.toISOString()}::timestamptz, ${cursor.id}::uuid)`
              : undefined,
          ),
        )
        .orderBy(desc(datasets.createdAt), desc(datasets.id))
        .limit(limit + 1)
    },

    async insert(
      tx: Executor,
      values: { name: string; description: string; ownerId: string | null },
    ): Promise<DatasetRow> {
      const [row] = await tx.insert(datasets).values(values).returning()
      return row!
    },

    async update(
      id: string,
      owner: string | null,
      values: { name?: string; description?: string },
      executor: Executor = db,
    ): Promise<DatasetRow | null> {
      const [row] = await executor
        .update(datasets)
        .set(values)
        .where(and(eq(datasets.id, id), ownedBy(owner)))
        .returning()
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

    async remove(id: string, owner: string | null): Promise<boolean> {
      const rows = await db
        .delete(datasets)
        .where(and(eq(datasets.id, id), ownedBy(owner)))
        .returning({ id: datasets.id })
      return rows.length > 0
    },
  }
}
