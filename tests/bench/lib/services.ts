import { type Subprocess, spawn } from 'bun'
import postgres from 'postgres'
import { PG_ADMIN_URL, REDIS_URL } from '../../support/services'

const root = new URL('../../../', import.meta.url).pathname

export const databaseUrlOf = (name: string) => {
  const url = new URL(PG_ADMIN_URL)
  url.pathname = `/${name}`
  return url.toString()
}

/** A fresh database for one benchmark, dropped by the returned function. */
export async function freshDatabase(name: string): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} })
  await admin.unsafe(`drop database if exists ${name} with (force)`)
  await admin.unsafe(`create database ${name}`)
  await admin.end()
  return {
    url: databaseUrlOf(name),
    async drop() {
      const conn = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} })
      await conn.unsafe(`drop database if exists ${name} with (force)`)
      await conn.end()
    },
  }
}

/** The administrator key every benchmark's api runs with. */
export const BENCH_KEY = 'dd-bench-admin-key-0123456789'
export const AUTH = { authorization: `Bearer ${BENCH_KEY}` }
/** The same, as curl and wrk take it. */
export const AUTH_HEADER = `Authorization: Bearer ${BENCH_KEY}`

export type Processes = { baseUrl: string; apiPid: number; stop(): Promise<void> }

/** Starts the real api (and optionally workers) as child processes, as `bun run start` / `bun run worker` would. */
export async function startSystem(options: {
  databaseUrl: string
  prefix: string
  port: number
  workers?: number
  env?: Record<string, string>
}): Promise<Processes> {
  const env = {
    ...process.env,
    DATABASE_URL: options.databaseUrl,
    REDIS_URL,
    QUEUE_PREFIX: options.prefix,
    PORT: String(options.port),
    LOG_LEVEL: 'warn',
    ADMIN_API_KEY: BENCH_KEY,
    // the benchmarks measure the system, not its rate limit
    RATE_LIMIT_PER_SECOND: '10000000',
    RATE_LIMIT_BURST: '10000000',
    ...options.env,
  }
  const children: Subprocess[] = [
    spawn(['bun', 'src/main.ts'], { cwd: root, env, stdout: 'inherit', stderr: 'inherit' }),
  ]
  const baseUrl = `http://127.0.0.1:${options.port}`
  await waitUntilReady(baseUrl)
  for (let i = 0; i < (options.workers ?? 0); i++)
    children.push(spawn(['bun', 'jobs/worker/main.ts'], { cwd: root, env, stdout: 'inherit', stderr: 'inherit' }))
  return {
    baseUrl,
    apiPid: children[0]!.pid,
    async stop() {
      for (const child of children) child.kill('SIGTERM')
      await Promise.all(children.map(c => c.exited))
    },
  }
}

async function waitUntilReady(baseUrl: string): Promise<void> {
  const deadline = Date.now() + 20_000
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${baseUrl}/ready`)).ok) return
    } catch {}
    await Bun.sleep(100)
  }
  throw new Error(`api at ${baseUrl} did not become ready`)
}

export async function postJson<T>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...AUTH, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`)
  return (await res.json()) as T
}

export function percentile(sorted: readonly number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[i]!
}

export async function run(cmd: string[]): Promise<string> {
  const child = spawn(cmd, { stdout: 'pipe', stderr: 'pipe' })
  const [out, err] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()])
  if ((await child.exited) !== 0) throw new Error(`${cmd[0]} failed: ${err}`)
  return out + err
}

export const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits })
