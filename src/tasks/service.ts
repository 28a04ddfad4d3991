import { TransactionRollbackError } from 'drizzle-orm'
import { statusEvent, type TaskEventPublisher } from '../../jobs/events/task-events'
import { type AnalysisQueue, discardAnalysis, enqueueAnalysis } from '../../jobs/queue/queues'
import { type Principal, visibleOwner } from '../auth/principal'
import type { DatasetService } from '../datasets/service'
import type { Database, Executor } from '../db/client'
import { NOT_NULL_VIOLATION, pgErrorCode } from '../db/errors'
import type { TaskRow } from '../db/schema'
import { decodeCursor, isUuid, type Page, toPage } from '../http/pagination'
import { conflict, invalid, notFound, tooMany } from '../http/problem'
import { checkParamsSize, validateAnalysis } from './analyses'
import type { AnalysisKind } from './kinds'
import { cancelDatasetTasks, cancelPending, createTask, requestCancel, type TaskCap } from './lifecycle'
import { createTaskQueries, type EventTaskRow, type TaskQueries } from './queries'
import type { ListTasksInput } from './schemas'
import { isFinal } from './statuses'
import { type TaskSummaryJson, toTaskSummaryJson } from './task-json'

export class TaskService {
  private readonly queries: TaskQueries

  constructor(
    private readonly db: Database,
    private readonly datasets: DatasetService,
    private readonly queue: AnalysisQueue,
    private readonly events: TaskEventPublisher,
    private readonly limits: { maxPendingTasksPerKey: number; maxParamsBytes: number },
  ) {
    this.queries = createTaskQueries(db)
  }

  /** The task if the viewer may see its dataset; otherwise as unknown as a missing one (404). */
  async get(id: string, viewer: Principal): Promise<TaskRow> {
    const row = isUuid(id) ? await this.queries.find(id, visibleOwner(viewer)) : null
    if (!row) throw notFound('task')
    return row
  }

  /** A task as an event stream shows it (the stream was authorised when it opened). */
  forEvents(id: string): Promise<EventTaskRow | null> {
    return this.queries.findForEvents(id)
  }

  /** A page of tasks without their results, which a page of many could not carry. */
  async list(query: ListTasksInput, viewer: Principal): Promise<Page<TaskSummaryJson>> {
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor)
    const rows = await this.queries.list({ ...query, cursor, owner: visibleOwner(viewer) })
    return toPage(rows, query.limit, toTaskSummaryJson)
  }

  /**
   * Validates, records the task, and only then enqueues its job (the job needs the committed
   * row). With an idempotency key, a repeat of the same request within 24 h answers the task the
   * first one made, and the key with a different request is refused.
   */
  async submit(
    datasetId: string,
    kind: AnalysisKind,
    rawParams: unknown,
    viewer: Principal,
    idempotencyKey?: string,
  ): Promise<Submitted> {
    checkParamsSize(rawParams, this.limits.maxParamsBytes)
    const dataset = await this.datasets.get(datasetId, viewer)
    if (dataset.status !== 'ready') throw conflict('DATASET_EMPTY', 'The dataset has no data to analyse yet')
    const params = validateAnalysis(kind, rawParams, dataset.columns)
    const idempotency = idempotencyKey === undefined ? undefined : { caller: viewer.id, key: idempotencyKey }
    const requestHash = idempotency && requestHashOf(dataset.id, kind, params)
    if (idempotency) {
      const earlier = await this.replay(idempotency, requestHash!)
      if (earlier) return earlier
    }
    const cap = this.capOf(viewer)
    const create = async (tx?: Executor) => {
      const created = await createTask(this.db, dataset.id, kind, params, { tx, cap })
      if ('refused' in created)
        throw tooMany(
          'TOO_MANY_TASKS',
          `This key already has ${created.refused.unfinished} tasks pending or running (at most ${cap!.max}); wait for some to finish`,
        )
      return created.task
    }
    let task: TaskRow
    try {
      task = idempotency
        ? await this.db.transaction(async tx => {
            const created = await create(tx)
            const { caller, key } = idempotency
            if (!(await this.queries.claimIdempotencyKey(tx, caller, key, requestHash!, created.id))) tx.rollback()
            return created
          })
        : await create()
    } catch (error) {
      // Another request with the same key committed first: answer with its task.
      if (idempotency && error instanceof TransactionRollbackError) {
        const earlier = await this.replay(idempotency, requestHash!)
        if (earlier) return earlier
      }
      // The dataset was deleted since it was read: its version reads as null.
      throw pgErrorCode(error) === NOT_NULL_VIOLATION ? notFound('dataset') : error
    }
    try {
      await enqueueAnalysis(this.queue, task.id)
    } catch (error) {
      // Without its job the task would wait forever: take it back and let the caller retry.
      await this.queries.remove(task.id)
      throw error
    }
    return { task, replayed: false }
  }

  /** A non-admin key may have only so many tasks waiting or running at once. */
  private capOf(viewer: Principal): TaskCap | undefined {
    if (viewer.admin || viewer.keyId === null) return undefined
    return { owner: viewer.keyId, max: this.limits.maxPendingTasksPerKey }
  }

  private async replay(idempotency: Idempotency, requestHash: string): Promise<Submitted | null> {
    const earlier = await this.queries.findByIdempotencyKey(idempotency.caller, idempotency.key)
    if (!earlier) return null
    if (earlier.requestHash !== requestHash)
      throw invalid(
        'This Idempotency-Key was used with a different request',
        [{ path: 'headers.idempotency-key', message: 'already used for another analysis; use a new key' }],
        'IDEMPOTENCY_KEY_REUSED',
      )
    return { task: earlier.task, replayed: true }
  }

  /** Runs a failed or cancelled task again, as a new task with the same kind and params. */
  async retry(id: string, viewer: Principal): Promise<TaskRow> {
    const task = await this.get(id, viewer)
    if (task.status !== 'failed' && task.status !== 'cancelled')
      throw conflict('TASK_NOT_RETRYABLE', `Only a failed or cancelled task can be retried; this one is ${task.status}`)
    return (await this.submit(task.datasetId, task.kind, task.params, viewer)).task
  }

  /**
   * Stops a task: a pending one is cancelled at once (its job never runs); a running one is
   * asked to stop, and its threads end it cancelled at their next chunk.
   */
  async cancel(id: string, viewer: Principal): Promise<TaskRow> {
    const task = await this.get(id, viewer)
    if (isFinal(task.status))
      throw conflict(
        'TASK_FINISHED',
        `The task has already ${task.status === 'completed' ? 'completed' : `ended ${task.status}`}`,
      )
    const cancelled = await cancelPending(this.db, task.id)
    if (cancelled) {
      await discardAnalysis(this.queue, task.id).catch(() => {})
      await this.events.publish(statusEvent(cancelled))
      return cancelled
    }
    const stopping = await requestCancel(this.db, task.id)
    if (!stopping) throw conflict('TASK_FINISHED', 'The task finished before it could be cancelled')
    await this.events.requestCancel(task.id)
    return stopping
  }

  /**
   * Deletes a dataset with its tasks. Unfinished tasks stop first: queued jobs are dropped,
   * running threads are told to stop, and their watchers hear that they ended.
   */
  async removeDataset(datasetId: string, viewer: Principal): Promise<void> {
    const dataset = await this.datasets.get(datasetId, viewer)
    const unfinished = await cancelDatasetTasks(this.db, dataset.id)
    for (const task of unfinished) {
      if (task.status === 'pending') await discardAnalysis(this.queue, task.id).catch(() => {})
      else await this.events.requestCancel(task.id)
    }
    await this.datasets.remove(dataset.id, viewer)
    for (const task of unfinished) await this.events.publish(statusEvent({ ...task, status: 'cancelled' }))
  }

  async remove(id: string, viewer: Principal): Promise<void> {
    const task = await this.get(id, viewer)
    if (!isFinal(task.status)) await this.cancel(task.id, viewer).catch(() => {})
    if (!(await this.queries.remove(task.id))) throw notFound('task')
  }
}

export type Idempotency = { caller: string; key: string }
export type Submitted = { task: TaskRow; replayed: boolean }

const requestHashOf = (datasetId: string, kind: string, params: unknown) =>
  new Bun.CryptoHasher('sha256').update(JSON.stringify([datasetId, kind, params])).digest('hex')
