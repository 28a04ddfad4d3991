import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestPrefix } from '../support/services'
import { AUTH_HEADER, fmt, freshDatabase, postJson, run, startSystem } from './lib/services'

const ROUNDS = 3
const SECONDS = 10

/**
 * GET /api/datasets/{id} under 64 connections (wrk) beside pgbench running the same primary-key
 * query with 10 clients: the database's own ceiling on this machine.
 */
export async function apiRead(): Promise<Record<string, string>> {
  const db = await freshDatabase('dd_bench_read')
  const redisPrefix = createTestPrefix()
  const system = await startSystem({ databaseUrl: db.url, prefix: redisPrefix.prefix, port: 3301 })
  try {
    const { id } = await postJson<{ id: string }>(`${system.baseUrl}/api/datasets`, {
      name: 'bench',
      rows: [{ a: 1, b: 'x' }],
    })
    const url = `${system.baseUrl}/api/datasets/${id}`
    const script = join(tmpdir(), 'dd-bench-read.sql')
    writeFileSync(script, `SELECT * FROM datasets WHERE id = '${id}';\n`)
    const pg = new URL(db.url)
    const pgbenchArgs = ['-h', pg.hostname, '-p', pg.port || '5432', '-U', pg.username, '-n', '-M', 'prepared']
    await run(['wrk', '-t2', '-c64', '-d2s', '-H', AUTH_HEADER, url])
    // Alternating rounds, so that a noisy moment on the machine hits both sides alike.
    const api: { rps: number; p50: string; p99: string; errors: number }[] = []
    const tps: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const wrk = await run(['wrk', '-t2', '-c64', `-d${SECONDS}s`, '--latency', '-H', AUTH_HEADER, url])
      api.push({
        rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(wrk)![1]),
        p50: /50%\s+([\d.]+\w+)/.exec(wrk)![1]!,
        p99: /99%\s+([\d.]+\w+)/.exec(wrk)![1]!,
        errors: Number(/Non-2xx or 3xx responses: (\d+)/.exec(wrk)?.[1] ?? 0),
      })
      const out = await run([
        'pgbench',
        ...pgbenchArgs,
        '-c',
        '10',
        '-j',
        '2',
        '-T',
        String(SECONDS),
        '-f',
        script,
        pg.pathname.slice(1),
      ])
      tps.push(Number(/tps = ([\d.]+)/.exec(out)![1]))
    }
    const median = <T>(items: T[], key: (t: T) => number) =>
      [...items].sort((a, b) => key(a) - key(b))[items.length >> 1]!
    const mid = median(api, r => r.rps)
    const pgMid = median(tps, t => t)
    return {
      [`api GET /api/datasets/{id} (wrk -c64, median of ${ROUNDS} × ${SECONDS} s)`]: `${fmt(mid.rps, 0)} req/s, p50 ${mid.p50}, p99 ${mid.p99}; every round: ${api.map(r => fmt(r.rps, 0)).join(', ')} req/s, non-2xx ${api.reduce((n, r) => n + r.errors, 0)}`,
      [`pgbench, same primary-key query (-c10, prepared, median of ${ROUNDS} × ${SECONDS} s)`]: `${fmt(pgMid, 0)} tps; every round: ${tps.map(t => fmt(t, 0)).join(', ')}`,
      'ratio api / pgbench (medians)': fmt(mid.rps / pgMid, 2),
    }
  } finally {
    await system.stop()
    await db.drop()
    await redisPrefix.clear()
  }
}
