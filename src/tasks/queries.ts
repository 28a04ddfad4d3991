import { and, desc, eq, sql } from 'drizzle-orm'
import type { Database } from '../db/client'
import { datasets, type TaskRow, tasks } from '../db/schema'
import type { Cursor } from '../http/pagination'
import type { AnalysisKind } from './analyses'
import type { ListTasksInput } from './schemas'

export type TaskQueries = ReturnType<typeof createTaskQueries>

export function createTaskQueries(db: Database) {
  const findById = db
    .select()
    .from(tasks)
    .where(eq(tasks.id, sql.placeholder('id')))
    .prepare('task_by_id')
  return {
    async find(id: string): Promise<TaskRow | null> {
      const [row] = await findById.execute({ id })
      return row ?? null
    },

    list(filter: Omit<ListTasksInput, 'cursor'> & { cursor?: Cursor }): Promise<TaskRow[]> {
      const { cursor } = filter
      return db
        .select()
        .from(tasks)
        .where(
          and(
            filter.status ? eq(tasks.status, filter.status) : undefined,
            filter.dataset_id ? eq(tasks.datasetId, filter.dataset_id) : undefined,
            filter.kind ? eq(tasks.kind, filter.kind) : undefined,
            cursor
              ? sql`(${tasks.createdAt}, ${tasks.id}) < (${cursor.createdAt.toISOString()}::timestamptz, ${cursor.id}::uuid)`
              : undefined,
          ),
        )
        .orderBy(desc(tasks.createdAt), desc(tasks.id))
        .limit(filter.limit + 1)
    },

    /**
     * Creates a task pinned to the dataset's current data version. The share lock on the dataset
     * row makes a concurrent replace wait, so the version cannot be pruned before the task exists.
     */
    create(datasetId: string, kind: AnalysisKind, params: Record<string, unknown>): Promise<TaskRow | null> {
      return db.transaction(async tx => {
        const [dataset] = await tx
          .select({ version: datasets.version })
          .from(datasets)
          .where(eq(datasets.id, datasetId))
          .for('share')
        if (!dataset) return null
        const [row] = await tx
          .insert(tasks)
          .values({ datasetId, datasetVersion: dataset.version, kind, params })
          .returning()
        return row!
      })
    },

    async remove(id: string): Promise<TaskRow | null> {
      const [row] = await db.delete(tasks).where(eq(tasks.id, id)).returning()
      return row ?? null
    },
  }
}
