import { Queue as BullQueue, type Queue } from 'bullmq'
import { sql } from 'drizzle-orm'
import type { Redis } from 'ioredis'
import { PARTS_QUEUE } from '../../jobs/queue'
import type { Database } from '../db/client'
import type { SseStreams } from '../http/sse'
import type { Gauge } from './exposition'

const TASK_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const
const JOB_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'waiting-children', 'failed'] as const
/** Recent task timings look back this far: long enough to smooth, short enough to follow. */
const RECENT_MINUTES = 5

type Timings = {
  finished: number
  wait_p50: number | null
  wait_p95: number | null
  run_p50: number | null
  run_p95: number | null
}

/**
 * What an operator scales and alerts on: tasks by status, the jobs waiting in each queue (the
 * depth to add workers by), how long recent tasks waited and ran, this api's open event streams,
 * and how full Redis is (BullMQ needs it never to evict).
 */
export class MetricsService {
  private readonly parts: Queue

  constructor(
    private readonly deps: { db: Database; redis: Redis; tasksQueue: Queue; streams: SseStreams; queuePrefix: string },
  ) {
    this.parts = new BullQueue(PARTS_QUEUE, { connection: deps.redis, prefix: deps.queuePrefix })
  }

  async collect(): Promise<Gauge[]> {
    const [byStatus, timings, tasksJobs, partsJobs, memory] = await Promise.all([
      this.tasksByStatus(),
      this.recentTimings(),
      this.deps.tasksQueue.getJobCounts(...JOB_STATES),
      this.parts.getJobCounts(...JOB_STATES),
      this.deps.redis.info('memory'),
    ])
    const quantiles = (p50: number | null, p95: number | null) =>
      [
        { labels: { quantile: '0.5' }, value: p50 },
        { labels: { quantile: '0.95' }, value: p95 },
      ].flatMap(({ labels, value }) => (value === null ? [] : [{ labels, value }]))
    const memoryField = (field: string) => Number(new RegExp(`^${field}:(\\d+)`, 'm').exec(memory)?.[1] ?? 0)
    return [
      {
        name: 'datadynamo_tasks',
        help: 'Tasks by status.',
        samples: TASK_STATUSES.map(status => ({ labels: { status }, value: byStatus.get(status) ?? 0 })),
      },
      {
        name: 'datadynamo_queue_jobs',
        help: 'Jobs in each BullMQ queue by state; waiting jobs are the depth to scale workers by.',
        samples: [
          ...JOB_STATES.map(state => ({ labels: { queue: 'tasks', state }, value: tasksJobs[state] ?? 0 })),
          ...JOB_STATES.map(state => ({ labels: { queue: 'parts', state }, value: partsJobs[state] ?? 0 })),
        ],
      },
      {
        name: 'datadynamo_tasks_finished_recent',
        help: `Tasks that ended in the last ${RECENT_MINUTES} minutes.`,
        samples: [{ value: timings.finished }],
      },
      {
        name: 'datadynamo_task_wait_seconds',
        help: `Time from submission to start of the tasks that ended in the last ${RECENT_MINUTES} minutes.`,
        samples: quantiles(timings.wait_p50, timings.wait_p95),
      },
      {
        name: 'datadynamo_task_run_seconds',
        help: `Time from start to end of the tasks that ended in the last ${RECENT_MINUTES} minutes.`,
        samples: quantiles(timings.run_p50, timings.run_p95),
      },
      {
        name: 'datadynamo_sse_streams',
        help: 'Event streams open on this api process.',
        samples: [{ value: this.deps.streams.count }],
      },
      {
        name: 'datadynamo_redis_memory_bytes',
        help: 'Memory Redis uses, and its maxmemory (0: no limit).',
        samples: [
          { labels: { kind: 'used' }, value: memoryField('used_memory') },
          { labels: { kind: 'max' }, value: memoryField('maxmemory') },
        ],
      },
    ]
  }

  private async tasksByStatus(): Promise<Map<string, number>> {
    const rows = await this.deps.db.execute<{ status: string; n: number }>(
      sql`select status, count(*)::int as n from tasks group by status`,
    )
    return new Map(rows.map(row => [row.status, row.n]))
  }

  private async recentTimings(): Promise<Timings> {
    const [row] = await this.deps.db.execute<Timings>(sql`
      with recent as (
        select extract(epoch from started_at - created_at)::float8 as wait,
               extract(epoch from finished_at - started_at)::float8 as run
        from tasks
        where finished_at > now() - make_interval(mins => ${RECENT_MINUTES}) and started_at is not null
      )
      select count(*)::int as finished,
             percentile_cont(0.5) within group (order by wait) as wait_p50,
             percentile_cont(0.95) within group (order by wait) as wait_p95,
             percentile_cont(0.5) within group (order by run) as run_p50,
             percentile_cont(0.95) within group (order by run) as run_p95
      from recent`)
    return row!
  }
}
