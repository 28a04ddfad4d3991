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
        .prepare('task_list')
        .execute()
    },

    /**
     * Creates a task pinned to the dataset's current data version, in one statement. The share
     * lock taken while reading the version makes a concurrent replace wait until the task
     * exists, so the replace cannot prune the version from under it.
     */
    async create(datasetId: string, kind: AnalysisKind, params: Record<string, unknown>): Promise<TaskRow> {
      const [row] = await db
        .insert(tasks)
        .values({
          datasetId,
          datasetVersion: sql`(select ${datasets.version} from ${datasets} where ${datasets.id} = ${datasetId} for share)`,
          kind,
          params,
        })
        .returning()
        .prepare('task_insert')
        .execute()
      return row!
    },

    async remove(id: string): Promise<TaskRow | null> {
      const [row] = await db.delete(tasks).where(eq(tasks.id, id)).returning()
      return row ?? null
    },
  }
}
