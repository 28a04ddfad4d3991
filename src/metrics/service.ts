import type { Queue } from 'bullmq'
import { sql } from 'drizzle-orm'
import type { Redis } from 'ioredis'
import { createPartsQueue } from '../../jobs/queue/queues'
import type { Database } from '../db/client'
import type { SseStreams } from '../http/sse'
import { FINAL_STATUSES } from '../tasks/statuses'
import type { Gauge } from './exposition'

const JOB_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'waiting-children', 'failed'] as const
/**
 * Recent task timings come from the newest tasks submitted, read through the index on
 * `created_at`: a scrape costs the same however many tasks the table holds.
 */
const SAMPLE_TASKS = 1000
const RECENT_MINUTES = 5

type Recent = {
  completed: number
  failed: number
  cancelled: number
  wait_p50: number | null
  wait_p95: number | null
  run_p50: number | null
  run_p95: number | null
}

/**
 * What an operator scales and alerts on: the jobs in each queue by state (waiting jobs are the
 * depth to add workers by), how recent tasks ended and how long they waited and ran, this api's
 * open event streams, and how full Redis is (BullMQ needs it never to evict).
 */
export class MetricsService {
  private readonly parts: Queue

  constructor(
    private readonly deps: { db: Database; redis: Redis; tasksQueue: Queue; streams: SseStreams; queuePrefix: string },
  ) {
    this.parts = createPartsQueue(deps.redis, deps.queuePrefix)
  }

  async collect(): Promise<Gauge[]> {
    const [recent, tasksJobs, partsJobs, memory] = await Promise.all([
      this.recentTasks(),
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
    const recently = `of the last ${SAMPLE_TASKS} tasks submitted, those that ended in the last ${RECENT_MINUTES} minutes`
    return [
      {
        name: 'datadynamo_queue_jobs',
        help: 'Jobs in each BullMQ queue by state; waiting jobs are the depth to scale workers by.',
        samples: [
          ...JOB_STATES.map(state => ({ labels: { queue: 'tasks', state }, value: tasksJobs[state] ?? 0 })),
          ...JOB_STATES.map(state => ({ labels: { queue: 'parts', state }, value: partsJobs[state] ?? 0 })),
        ],
      },
      {
        name: 'datadynamo_tasks_ended_recently',
        help: `Tasks by how they ended: ${recently}.`,
        samples: FINAL_STATUSES.map(status => ({ labels: { status }, value: recent[status] })),
      },
      {
        name: 'datadynamo_task_wait_seconds',
        help: `Time from submission to start: ${recently}.`,
        samples: quantiles(recent.wait_p50, recent.wait_p95),
      },
      {
        name: 'datadynamo_task_run_seconds',
        help: `Time from start to end: ${recently}.`,
        samples: quantiles(recent.run_p50, recent.run_p95),
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

  private async recentTasks(): Promise<Recent> {
    const [row] = await this.deps.db.execute<Recent>(sql`
      with newest as (
        select status, created_at, started_at, finished_at from tasks
        order by created_at desc nulls last, id desc nulls last
        limit ${SAMPLE_TASKS}
      ), recent as (
        select status,
               extract(epoch from started_at - created_at)::float8 as wait,
               extract(epoch from finished_at - started_at)::float8 as run
        from newest
        where finished_at > now() - make_interval(mins => ${RECENT_MINUTES})
      )
      select count(*) filter (where status = 'completed')::int as completed,
             count(*) filter (where status = 'failed')::int as failed,
             count(*) filter (where status = 'cancelled')::int as cancelled,
             percentile_cont(0.5) within group (order by wait) as wait_p50,
             percentile_cont(0.95) within group (order by wait) as wait_p95,
             percentile_cont(0.5) within group (order by run) as run_p50,
             percentile_cont(0.95) within group (order by run) as run_p95
      from recent`)
    return row!
  }
}
