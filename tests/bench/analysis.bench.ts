import { type Subprocess, spawn } from 'bun'
import postgres from 'postgres'
import { runMigrations } from '../../src/db/migrate'
import { seedSynthetic } from '../support/seed'
import { createTestPrefix, REDIS_URL } from '../support/services'
import { AUTH, fmt, freshDatabase, startSystem } from './lib/services'

const root = new URL('../../', import.meta.url).pathname

/** POST …/process, then the task polled every 10 ms until it is completed: wall time in ms. */
async function timeTask(baseUrl: string, datasetId: string, body: unknown): Promise<number> {
  const started = performance.now()
  const res = await fetch(`${baseUrl}/api/datasets/${datasetId}/process`, {
    method: 'POST',
    headers: { ...AUTH, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const { id } = (await res.json()) as { id: string }
  for (;;) {
    const task = (await (await fetch(`${baseUrl}/api/tasks/${id}`, { headers: AUTH })).json()) as {
      status: string
      error: string
    }
    if (task.status === 'completed') return performance.now() - started
    if (task.status === 'failed') throw new Error(`task failed: ${task.error}`)
    await Bun.sleep(10)
  }
}

function startWorkers(count: number, env: Record<string, string>): Subprocess[] {
  return Array.from({ length: count }, () =>
    spawn(['bun', 'jobs/worker/main.ts', '--concurrency', '1', '--threads', '1'], {
      cwd: root,
      env: { ...process.env, ...env },
      stdout: 'ignore',
      stderr: 'inherit',
    }),
  )
}

async function stop(workers: Subprocess[]) {
  for (const worker of workers) worker.kill('SIGTERM')
  await Promise.all(workers.map(w => w.exited))
}

/**
 * Data is uploaded well before it is analysed: the vacuum and checkpoint that a fresh gigabyte
 * of chunks sets off would otherwise run during the first measurements.
 */
async function settle(databaseUrl: string): Promise<void> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} })
  try {
    await sql`vacuum (analyze) dataset_chunks`
    await sql`checkpoint`
  } finally {
    await sql.end()
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!

/**
 * Analyses end to end through the real processes: `profile` of 1,000,000 × 10 rows (one worker,
 * two threads), and of 10,000,000 rows with one worker process and then two (one analysis
 * thread each), to show what a second worker brings through the flow split.
 */
export async function analysis(): Promise<Record<string, string>> {
  const figures: Record<string, string> = {}
  const db = await freshDatabase('dd_bench_analysis')
  const prefix = createTestPrefix()
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL,
    QUEUE_PREFIX: prefix.prefix,
    LOG_LEVEL: 'warn',
    SPLIT_PARTS: '4',
  }
  try {
    await runMigrations(db.url)
    const million = await seedSynthetic(db.url, 1_000_000)
    const tenMillion = process.env.BENCH_SKIP_10M ? million : await seedSynthetic(db.url, 10_000_000)
    await settle(db.url)
    const system = await startSystem({ databaseUrl: db.url, prefix: prefix.prefix, port: 3303 })
    try {
      let workers = spawnTwoThreads(env)
      try {
        const kinds: [string, unknown][] = [
          ['profile', { kind: 'profile' }],
          [
            'correlation (8 columns)',
            { kind: 'correlation', params: { columns: ['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8'] } },
          ],
        ]
        for (const [name, body] of kinds) {
          await timeTask(system.baseUrl, million, body)
          const runs = [] as number[]
          for (let run = 0; run < 3; run++) runs.push(await timeTask(system.baseUrl, million, body))
          figures[`${name}, 1M rows, POST → completed (1 worker, 2 threads)`] =
            `${fmt(median(runs), 0)} ms (runs: ${runs.map(r => fmt(r, 0)).join(', ')})`
        }
      } finally {
        await stop(workers)
      }
      const times: number[] = []
      for (const count of [1, 2]) {
        workers = startWorkers(count, env)
        try {
          await timeTask(system.baseUrl, million, { kind: 'profile' })
          times.push(await timeTask(system.baseUrl, tenMillion, { kind: 'profile' }))
        } finally {
          await stop(workers)
        }
      }
      const [one, two] = times as [number, number]
      figures['profile, 10M rows, 1 worker process (1 thread)'] = `${fmt(one, 0)} ms`
      figures['profile, 10M rows, 2 worker processes (1 thread each)'] =
        `${fmt(two, 0)} ms, speed-up ${fmt(one / two, 2)}×`
    } finally {
      await system.stop()
    }
  } finally {
    await db.drop()
    await prefix.clear()
  }
  return figures
}

function spawnTwoThreads(env: Record<string, string>): Subprocess[] {
  return [
    spawn(['bun', 'jobs/worker/main.ts', '--concurrency', '1', '--threads', '2'], {
      cwd: root,
      env: { ...process.env, ...env, SPLIT_PARTS: '2' },
      stdout: 'ignore',
      stderr: 'inherit',
    }),
  ]
}
