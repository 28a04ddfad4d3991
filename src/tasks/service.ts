import { type AnalysisQueue, discardAnalysis, enqueueAnalysis } from '../../jobs/queue'
import type { DatasetService } from '../datasets/service'
import type { Database } from '../db/client'
import { NOT_NULL_VIOLATION, pgErrorCode } from '../db/errors'
import type { TaskRow } from '../db/schema'
import { decodeCursor, isUuid, type Page, toPage } from '../http/pagination'
import { conflict, notFound } from '../http/problem'
import { type AnalysisKind, validateAnalysis } from './analyses'
import { createTaskQueries, type TaskQueries } from './queries'
import type { ListTasksInput } from './schemas'

export type TaskJson = {
  id: string
  dataset_id: string
  kind: AnalysisKind
  params: Record<string, unknown>
  status: TaskRow['status']
  progress: number
  stage: string | null
  result: unknown
  error: string | null
  attempts: number
  created_at: string
  started_at: string | null
  finished_at: string | null
}

export function toTaskJson(row: TaskRow): TaskJson {
  return {
    id: row.id,
    dataset_id: row.datasetId,
    kind: row.kind,
    params: row.params,
    status: row.status,
    progress: row.progress,
    stage: row.stage,
    result: row.result ?? null,
    error: row.error,
    attempts: row.attempts,
    created_at: row.createdAt.toISOString(),
    started_at: row.startedAt?.toISOString() ?? null,
    finished_at: row.finishedAt?.toISOString() ?? null,
  }
}

export class TaskService {
  readonly queries: TaskQueries

  constructor(
    db: Database,
    private readonly datasets: DatasetService,
    private readonly queue: AnalysisQueue,
  ) {
    this.queries = createTaskQueries(db)
  }

  async get(id: string): Promise<TaskRow> {
    const row = isUuid(id) ? await this.queries.find(id) : null
    if (!row) throw notFound('task')
    return row
  }

  async list(query: ListTasksInput): Promise<Page<TaskJson>> {
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor)
    const rows = await this.queries.list({ ...query, cursor })
    return toPage(rows, query.limit, toTaskJson)
  }

  /** Validates, records the task, and only then enqueues its job (the job needs the committed row). */
  async submit(datasetId: string, kind: AnalysisKind, rawParams: unknown): Promise<TaskRow> {
    const dataset = await this.datasets.get(datasetId)
    if (dataset.status !== 'ready') throw conflict('DATASET_EMPTY', 'The dataset has no data to analyse yet')
    const params = validateAnalysis(kind, rawParams, dataset.columns)
    const task = await this.queries.create(dataset.id, kind, params).catch(error => {
      // The dataset was deleted since it was read: its version reads as null.
      throw pgErrorCode(error) === NOT_NULL_VIOLATION ? notFound('dataset') : error
    })
    try {
      await enqueueAnalysis(this.queue, task.id)
    } catch (error) {
      // Without its job the task would wait forever: take it back and let the caller retry.
      await this.queries.remove(task.id)
      throw error
    }
    return task
  }

  async remove(id: string): Promise<void> {
    const task = isUuid(id) ? await this.queries.remove(id) : null
    if (!task) throw notFound('task')
    if (task.status === 'pending') await discardAnalysis(this.queue, task.id)
  }
}
