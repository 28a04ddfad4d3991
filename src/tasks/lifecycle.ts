import { and, eq, inArray, lt, sql } from 'drizzle-orm'
import type { Database, Executor } from '../db/client'
import { type DatasetVersionRow, datasets, type TaskRow, tasks } from '../db/schema'
import type { AnalysisKind } from './kinds'
import { UNFINISHED_STATUSES } from './statuses'

/*
 * Every statement that moves a task between its states is in this file; nothing else writes
 * `status`. Who runs each: the api (a request), a thread (the analysis thread running an
 * attempt), the worker (the worker process hearing that a job failed), the reaper (the worker's
 * sweep for tasks nothing works on any more).
 *
 *                        createTask (api)
 *                               |
 *                               v
 *        +------------------ pending <-----------------------------+
 *        | cancelPending (api)   |                                  | retryTask (worker):
 *        |                       | claimTask (thread)               | the attempt failed
 *        |                       v                                  | and another follows
 *        |                    running ------------------------------+
 *        |                     |    |
 *        |        completeTask |    | failTask (worker, reaper;
 *        |            (thread) |    |   from pending too)
 *        v                     v    v
 *    cancelled           completed  failed
 *
 * Once cancel_requested is set, claimTask and failTask end the task cancelled instead. A
 * claim also takes a running task anew when BullMQ delivers its job again (its worker died).
 *
 * While a task runs, saveProgress and addProgress (threads) move its progress and stage, and
 * requestCancel and cancelDatasetTasks (api) set cancel_requested, which its threads honour at
 * their next chunk. sweepQuietTasks (reaper) hands on the unfinished tasks nobody has touched
 * for a while: it fails those whose job failed and queues the others again, whose next claim
 * counts a new attempt. Every change but a create is conditional on the state it starts from,
 * so a statement that lost a race changes nothing.
 */

/** A task as the changes below answer it: enough for the event that announces the change. */
export type TaskChange = Pick<TaskRow, 'id' | 'datasetId' | 'status' | 'attempts'>

const changeFields = { id: tasks.id, datasetId: tasks.datasetId, status: tasks.status, attempts: tasks.attempts }

const prepareInsert = (executor: Executor) =>
  executor
    .insert(tasks)
    .values({
      datasetId: sql.placeholder('datasetId'),
      datasetVersion: sql`(select ${datasets.version} from ${datasets} where ${datasets.id} = ${sql.placeholder('datasetId')} for share)`,
      kind: sql.placeholder('kind'),
      params: sql.placeholder('params'),
    })
    .returning()
    .prepare('task_insert')

const inserts = new WeakMap<Database, ReturnType<typeof prepareInsert>>()

/** The insert prepared once per database (a transaction prepares its own). */
function preparedInsert(db: Database): ReturnType<typeof prepareInsert> {
  const known = inserts.get(db)
  if (known) return known
  const prepared = prepareInsert(db)
  inserts.set(db, prepared)
  return prepared
}

/** Held per owner while its unfinished tasks are counted and one is added (the two-key form takes 32-bit keys). */
const TASK_CAP_LOCK = 727_274_003

/** At most `max` unfinished tasks on the datasets of `owner` (a key id). */
export type TaskCap = { owner: string; max: number }

/** A new task, or how many unfinished tasks its owner already has when that is its cap. */
export type CreatedTask = { task: TaskRow } | { refused: { unfinished: number } }

/** Pending and running tasks on an owner's datasets. */
async function countUnfinished(executor: Executor, owner: string): Promise<number> {
  const [row] = await executor
    .select({ n: sql<number>`count(*)::int` })
    .from(tasks)
    .where(
      and(
        inArray(tasks.status, UNFINISHED_STATUSES),
        inArray(
          tasks.datasetId,
          executor.select({ id: datasets.id }).from(datasets).where(eq(datasets.ownerId, owner)),
        ),
      ),
    )
  return row?.n ?? 0
}

/**
 * Creates a pending task pinned to the dataset's current data version. The share lock taken
 * while reading the version makes a concurrent replace wait until the task exists, so the
 * replace cannot prune the version from under it. With a cap, the owner's unfinished tasks are
 * counted and the task added under a lock per owner held to the end of the transaction (`tx`,
 * or one of its own), so that parallel submits cannot each see room for one more.
 */
export async function createTask(
  db: Database,
  datasetId: string,
  kind: AnalysisKind,
  params: Record<string, unknown>,
  { tx, cap }: { tx?: Executor; cap?: TaskCap } = {},
): Promise<CreatedTask> {
  const values = { datasetId, kind, params }
  if (!cap) {
    const [row] = await (tx ? prepareInsert(tx) : preparedInsert(db)).execute(values)
    return { task: row! }
  }
  const capped = async (executor: Executor): Promise<CreatedTask> => {
    await executor.execute(sql`select pg_advisory_xact_lock(${TASK_CAP_LOCK}, hashtext(${cap.owner}))`)
    const unfinished = await countUnfinished(executor, cap.owner)
    if (unfinished >= cap.max) return { refused: { unfinished } }
    const [row] = await prepareInsert(executor).execute(values)
    return { task: row! }
  }
  return tx ? capped(tx) : db.transaction(capped)
}

/** A pending task becomes cancelled at once; null when it is no longer pending. */
export async function cancelPending(db: Database, id: string): Promise<TaskRow | null> {
  const [row] = await db
    .update(tasks)
    .set({ status: 'cancelled', stage: 'cancelled', finishedAt: sql`now()` })
    .where(and(eq(tasks.id, id), eq(tasks.status, 'pending')))
    .returning()
  return row ?? null
}

/** Asks a running task to stop; null when it is no longer running. */
export async function requestCancel(db: Database, id: string): Promise<TaskRow | null> {
  const [row] = await db
    .update(tasks)
    .set({ cancelRequested: true })
    .where(and(eq(tasks.id, id), eq(tasks.status, 'running')))
    .returning()
  return row ?? null
}

/** Asks every unfinished task of a dataset that is being deleted to stop; answers them. */
export function cancelDatasetTasks(db: Database, datasetId: string): Promise<TaskChange[]> {
  return db
    .update(tasks)
    .set({ cancelRequested: true })
    .where(and(eq(tasks.datasetId, datasetId), inArray(tasks.status, UNFINISHED_STATUSES)))
    .returning(changeFields)
}

export type ProgressUpdate = { progress: number; stage: string; rows_processed: number }

/**
 * What an attempt needs to run: the task and the data version it is pinned to. A claim of a
 * task whose cancel was asked for ends it `cancelled` instead (status says which).
 */
export type ClaimedTask = Pick<
  TaskRow,
  'id' | 'datasetId' | 'datasetVersion' | 'kind' | 'params' | 'attempts' | 'status' | 'cancelRequested'
> & {
  version: Pick<DatasetVersionRow, 'rowCount' | 'columns' | 'chunkCount'> | null
}

type VersionFields = {
  version_rows: string | null
  columns: DatasetVersionRow['columns'] | null
  chunk_count: number | null
}

/** The pinned data version a task row was joined with; null when it no longer exists. */
const versionOf = (row: VersionFields): ClaimedTask['version'] =>
  row.version_rows === null
    ? null
    : { rowCount: Number(row.version_rows), columns: row.columns ?? [], chunkCount: row.chunk_count ?? 0 }

/** A task row joined with its pinned data version, as both readers of a task to run select it. */
type TaskVersionRow = VersionFields & {
  id: string
  dataset_id: string
  dataset_version: number
  kind: TaskRow['kind']
  params: TaskRow['params']
  attempts: number
  status: TaskRow['status']
  cancel_requested: boolean
}

const claimedTaskOf = (row: TaskVersionRow): ClaimedTask => ({
  id: row.id,
  datasetId: row.dataset_id,
  datasetVersion: row.dataset_version,
  kind: row.kind,
  params: row.params,
  attempts: row.attempts,
  status: row.status,
  cancelRequested: row.cancel_requested,
  version: versionOf(row),
})

/**
 * Marks a task running for a new attempt and reads its pinned data version in one round trip.
 * Null when there is nothing to run: the task was deleted, cancelled or already finished (a job
 * delivered twice must not run twice). The version is null when its data no longer exists.
 */
export async function claimTask(db: Database, taskId: string): Promise<ClaimedTask | null> {
  // postgres.js prepares tagged statements; Drizzle's db.execute would re-plan this one each time.
  const [row] = await db.$client<TaskVersionRow[]>`
    with claimed as (
      update tasks
      set status = case when cancel_requested then 'cancelled'::task_status else 'running'::task_status end,
          attempts = attempts + case when cancel_requested then 0 else 1 end,
          started_at = coalesce(started_at, now()),
          finished_at = case when cancel_requested then now() end,
          progress = case when cancel_requested then progress else 0 end,
          stage = case when cancel_requested then 'cancelled' else 'starting' end,
          rows_processed = case when cancel_requested then rows_processed else 0 end,
          error = null, updated_at = now()
      where id = ${taskId} and status in ('pending', 'running')
      returning id, dataset_id, dataset_version, kind, params, attempts, status, cancel_requested
    )
    select claimed.*, v.row_count as version_rows, v.columns, v.chunk_count
    from claimed
    left join dataset_versions v on v.dataset_id = claimed.dataset_id and v.version = claimed.dataset_version`
  return row ? claimedTaskOf(row) : null
}

/** The task and its data version, if the given attempt still owns it and it is still running. */
export async function loadRunningTask(db: Database, taskId: string, attempt: number): Promise<ClaimedTask | null> {
  const [row] = await db.$client<TaskVersionRow[]>`
    select t.id, t.dataset_id, t.dataset_version, t.kind, t.params, t.attempts, t.status, t.cancel_requested,
           v.row_count as version_rows, v.columns, v.chunk_count
    from tasks t
    left join dataset_versions v on v.dataset_id = t.dataset_id and v.version = t.dataset_version
    where t.id = ${taskId} and t.attempts = ${attempt} and t.status = 'running'`
  return row ? claimedTaskOf(row) : null
}

/**
 * Adds one part's share of progress to a split task, capped below 100 (completion says 100);
 * answers the task's progress after the addition, or null if the attempt no longer runs.
 */
export async function addProgress(
  db: Database,
  taskId: string,
  attempt: number,
  percent: number,
  stage: string,
  rows: number,
): Promise<ProgressUpdate | null> {
  const [row] = await db.$client<{ progress: number; stage: string; rows_processed: string }[]>`
    update tasks
    set progress = least(99, progress + ${percent}), stage = ${stage}, rows_processed = rows_processed + ${rows},
        updated_at = now()
    where id = ${taskId} and attempts = ${attempt} and status = 'running'
    returning progress, stage, rows_processed`
  return row ? { progress: row.progress, stage: row.stage, rows_processed: Number(row.rows_processed) } : null
}

/** Writes progress for the attempt that owns the task; a stale attempt changes nothing. */
export async function saveProgress(
  db: Executor,
  taskId: string,
  attempt: number,
  update: ProgressUpdate,
): Promise<void> {
  await db
    .update(tasks)
    .set({ progress: update.progress, stage: update.stage, rowsProcessed: update.rows_processed })
    .where(and(eq(tasks.id, taskId), eq(tasks.attempts, attempt), eq(tasks.status, 'running')))
    .prepare('task_progress')
    .execute()
}

/** When a completed task's row was made, first started and finished. */
export type CompletionTimes = Pick<TaskRow, 'createdAt' | 'startedAt'> & { finishedAt: Date }

/**
 * ISO 8601 UTC to the millisecond, the columns' precision: Drizzle has postgres.js hand a raw
 * statement's timestamps over as PostgreSQL's own text, which `Date` does not read reliably.
 */
const ISO_UTC = 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'

/**
 * Stores the result (given as JSON); only the attempt that owns a running task can, so the
 * effect happens once: null when another attempt or a cancel got there first. `rows` is what
 * the analysis read over all its passes.
 */
export async function completeTask(
  db: Database,
  taskId: string,
  attempt: number,
  resultJson: string,
  rows: number,
): Promise<CompletionTimes | null> {
  // A tagged statement is prepared once per connection; Drizzle would rebuild this one per task.
  const [row] = await db.$client<{ created_at: string; started_at: string | null; finished_at: string }[]>`
    update tasks
    set status = 'completed', progress = 100, stage = 'done', rows_processed = greatest(rows_processed, ${rows}),
        result = ${resultJson}::jsonb, error = null, finished_at = now(), updated_at = now()
    where id = ${taskId} and attempts = ${attempt} and status = 'running'
    returning to_char(created_at at time zone 'UTC', ${ISO_UTC}) as created_at,
              to_char(started_at at time zone 'UTC', ${ISO_UTC}) as started_at,
              to_char(finished_at at time zone 'UTC', ${ISO_UTC}) as finished_at`
  if (!row) return null
  return {
    createdAt: new Date(row.created_at),
    startedAt: row.started_at === null ? null : new Date(row.started_at),
    finishedAt: new Date(row.finished_at),
  }
}

/**
 * The end of a task whose job failed for good: `failed` with the reason, or `cancelled` when
 * the failure was its threads stopping for a cancel. Null when it had already ended.
 */
export async function failTask(db: Executor, taskId: string, reason: string): Promise<TaskChange | null> {
  const [row] = await db
    .update(tasks)
    .set({
      status: sql`case when ${tasks.cancelRequested} then 'cancelled'::task_status else 'failed'::task_status end`,
      stage: sql`case when ${tasks.cancelRequested} then 'cancelled' else 'failed' end`,
      error: sql`case when ${tasks.cancelRequested} then null else ${reason} end`,
      finishedAt: sql`now()`,
    })
    .where(and(eq(tasks.id, taskId), inArray(tasks.status, UNFINISHED_STATUSES)))
    .returning(changeFields)
  return row ?? null
}

/** An attempt failed but another will follow: back to pending, with the reason on record. */
export async function retryTask(db: Executor, taskId: string, reason: string): Promise<TaskChange | null> {
  const [row] = await db
    .update(tasks)
    .set({ status: 'pending', stage: 'retrying', error: reason })
    .where(and(eq(tasks.id, taskId), eq(tasks.status, 'running'), eq(tasks.cancelRequested, false)))
    .returning(changeFields)
  return row ?? null
}

/** One worker at a time sweeps: the lock is per queue prefix (the two-key form takes 32-bit keys). */
export const REAPER_LOCK = 727_274_002

/**
 * The reaper's sweep: under a lock that one worker at a time holds (per `scope`, the queue
 * prefix), the unfinished tasks that have been quiet for `graceMs`, at most 500, each handed to
 * `settle`, which answers whether it settled the task. Answers how many it settled.
 */
export async function sweepQuietTasks(
  db: Database,
  scope: string,
  graceMs: number,
  settle: (task: Pick<TaskRow, 'id' | 'status'>) => Promise<boolean>,
): Promise<number> {
  return db.transaction(async tx => {
    const [lock] = await tx.execute<{ locked: boolean }>(
      sql`select pg_try_advisory_xact_lock(${REAPER_LOCK}, hashtext(${scope})) as locked`,
    )
    if (!lock?.locked) return 0
    const quiet = await tx
      .select({ id: tasks.id, status: tasks.status })
      .from(tasks)
      .where(
        and(
          inArray(tasks.status, UNFINISHED_STATUSES),
          lt(tasks.updatedAt, sql`now() - ${`${graceMs} milliseconds`}::interval`),
        ),
      )
      .limit(500)
    let settled = 0
    for (const task of quiet) if (await settle(task)) settled++
    return settled
  })
}
