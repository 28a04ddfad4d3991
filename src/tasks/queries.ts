import { and, desc, eq, getTableColumns, gt, inArray, sql } from 'drizzle-orm'
import type { Database, Executor } from '../db/client'
import { datasets, idempotencyKeys, type TaskRow, tasks } from '../db/schema'
import type { Cursor } from '../http/pagination'
import type { ListTasksInput } from './schemas'

/** Every column of a task but its result, which lists leave out: it is not even read. */
const { result: _result, ...summaryColumns } = getTableColumns(tasks)

export type TaskQueries = ReturnType<typeof createTaskQueries>

/** Events carry a task's result only up to this many bytes of JSON (DESIGN.md, "Live events"). */
export const MAX_RESULT_IN_EVENT = 64 * 1024

/** A task as events show it: `result` is null when it is too large to travel with an event. */
export type EventTaskRow = TaskRow & { resultOmitted: boolean }

export function createTaskQueries(db: Database) {
  const owner = sql.placeholder('owner')
  // A task is visible to whoever may see its dataset.
  const findById = db
    .select()
    .from(tasks)
    .where(
      and(
        eq(tasks.id, sql.placeholder('id')),
        sql`(${owner}::uuid is null or exists (select 1 from ${datasets} where ${datasets.id} = ${tasks.datasetId} and ${datasets.ownerId} = ${owner}::uuid))`,
      ),
    )
    .prepare('task_by_id')
  // A large result is left in PostgreSQL: the api never loads it only to learn that it is large.
  const findForEvents = db
    .select({
      ...getTableColumns(tasks),
      result:
        sql`case when octet_length(${tasks.result}::text) <= ${MAX_RESULT_IN_EVENT} then ${tasks.result} end`.mapWith(
          tasks.result,
        ),
      hasResult: sql<boolean>`${tasks.result} is not null`,
    })
    .from(tasks)
    .where(eq(tasks.id, sql.placeholder('id')))
    .prepare('task_for_events')
  return {
    /** The task, if `owner` may see it (null: anyone's). */
    async find(id: string, owner: string | null): Promise<TaskRow | null> {
      const [row] = await findById.execute({ id, owner })
      return row ?? null
    },

    /** The task for an event stream (authorised when it opened), its result left out when large. */
    async findForEvents(id: string): Promise<EventTaskRow | null> {
      const [found] = await findForEvents.execute({ id })
      if (!found) return null
      const { hasResult, ...row } = found
      return { ...row, resultOmitted: hasResult && row.result === null }
    },

    list(
      filter: Omit<ListTasksInput, 'cursor'> & { cursor?: Cursor; owner: string | null },
    ): Promise<Omit<TaskRow, 'result'>[]> {
      const { cursor } = filter
      return db
        .select(summaryColumns)
        .from(tasks)
        .where(
          and(
            filter.owner === null
              ? undefined
              : inArray(
                  tasks.datasetId,
                  db.select({ id: datasets.id }).from(datasets).where(eq(datasets.ownerId, filter.owner)),
                ),
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

    /** The task an idempotency key made within the last 24 hours, with the hash of its request. */
    async findByIdempotencyKey(caller: string, key: string): Promise<{ task: TaskRow; requestHash: string } | null> {
      const [row] = await db
        .select({ task: tasks, requestHash: idempotencyKeys.requestHash })
        .from(idempotencyKeys)
        .innerJoin(tasks, eq(tasks.id, idempotencyKeys.taskId))
        .where(
          and(
            eq(idempotencyKeys.caller, caller),
            eq(idempotencyKeys.key, key),
            gt(idempotencyKeys.createdAt, sql`now() - interval '24 hours'`),
          ),
        )
      return row ?? null
    },

    /** Records the key for a task; false when the caller already holds it (another request won). */
    async claimIdempotencyKey(
      tx: Executor,
      caller: string,
      key: string,
      requestHash: string,
      taskId: string,
    ): Promise<boolean> {
      await tx
        .delete(idempotencyKeys)
        .where(
          and(
            eq(idempotencyKeys.caller, caller),
            eq(idempotencyKeys.key, key),
            sql`${idempotencyKeys.createdAt} <= now() - interval '24 hours'`,
          ),
        )
      const inserted = await tx
        .insert(idempotencyKeys)
        .values({ caller, key, requestHash, taskId })
        .onConflictDoNothing()
        .returning({ taskId: idempotencyKeys.taskId })
      return inserted.length > 0
    },

    async remove(id: string): Promise<TaskRow | null> {
      const [row] = await db.delete(tasks).where(eq(tasks.id, id)).returning()
      return row ?? null
    },
  }
}
