import { t } from 'elysia'
import { integer, oneOf, PageQuery } from '../http/schemas'
import { ANALYSES } from './analyses'
import { ANALYSIS_KINDS } from './kinds'
import { TASK_STATUSES } from './statuses'

const KindSchema = oneOf(ANALYSIS_KINDS, { description: 'the analysis to run' })
const StatusSchema = oneOf(TASK_STATUSES)

export const TaskSchema = t.Object({
  id: t.String({ format: 'uuid' }),
  dataset_id: t.String({ format: 'uuid' }),
  kind: KindSchema,
  params: t.Record(t.String(), t.Unknown()),
  status: StatusSchema,
  progress: t.Number({ minimum: 0, maximum: 100 }),
  stage: t.Union([t.String(), t.Null()]),
  result: t.Unknown({ description: 'the analysis result once completed, else null' }),
  error: t.Union([t.String(), t.Null()]),
  attempts: integer(),
  created_at: t.String({ format: 'date-time' }),
  started_at: t.Union([t.String({ format: 'date-time' }), t.Null()]),
  finished_at: t.Union([t.String({ format: 'date-time' }), t.Null()]),
})

/** A task as lists show it: results can weigh megabytes each, so a page leaves them out. */
export const TaskSummarySchema = t.Omit(TaskSchema, ['result'], {
  description: 'a task without its `result` (lists leave results out; `GET /api/tasks/{id}` has it)',
})

const paramsDoc = Object.entries(ANALYSES)
  .map(([kind, spec]) => `- \`${kind}\`: ${spec.params.description ?? ''}`)
  .join('\n')

export const ProcessBody = t.Object(
  {
    kind: t.Optional(KindSchema),
    params: t.Optional(t.Record(t.String(), t.Unknown(), { description: `Params by kind:\n${paramsDoc}` })),
  },
  { additionalProperties: false },
)

export const ListTasksQuery = t.Object({
  ...PageQuery,
  status: t.Optional(StatusSchema),
  dataset_id: t.Optional(t.String({ format: 'uuid' })),
  kind: t.Optional(KindSchema),
})

export type ListTasksInput = typeof ListTasksQuery.static

export const IdempotencyHeaders = t.Object({
  'idempotency-key': t.Optional(
    t.String({
      minLength: 1,
      maxLength: 255,
      pattern: '^[\\x21-\\x7e]+$',
      description: 'any printable ASCII string; repeats of one request with the same key make one task',
    }),
  ),
})
