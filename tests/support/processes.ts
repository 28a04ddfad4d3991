import { type Subprocess, spawn, spawnSync } from 'bun'
import { ADMIN_KEY, waitFor } from './harness'

const root = new URL('../../', import.meta.url).pathname

export type Child = {
  proc: Subprocess<'ignore', 'pipe', 'pipe'>
  /** Everything the process printed so far. */
  output(): string
  /** Everything it wrote to stderr so far (warnings and errors), which also goes to the test's stderr. */
  errors(): string
  stop(signal?: NodeJS.Signals): Promise<number>
}

/** Runs `bun <script>` as the real process would run, collecting what it prints. */
export function startProcess(args: string[], env: Record<string, string>): Child {
  const proc = spawn(['bun', ...args], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  let output = ''
  let errors = ''
  const decoder = new TextDecoder()
  const errorDecoder = new TextDecoder()
  void (async () => {
    for await (const piece of proc.stdout) output += decoder.decode(piece, { stream: true })
  })()
  void (async () => {
    for await (const piece of proc.stderr) {
      errors += errorDecoder.decode(piece, { stream: true })
      process.stderr.write(piece)
    }
  })()
  return {
    proc,
    output: () => output,
    errors: () => errors,
    async stop(signal = 'SIGTERM') {
      proc.kill(signal)
      return proc.exited
    },
  }
}

/**
 * Runs `bun <args>` to its end, as a shell would (a command of the CLI, or an api that must
 * refuse to start), and answers its exit code and what it printed. `timeoutMs` kills one that
 * does not end by itself.
 */
export function runToEnd(args: string[], env: Record<string, string>, timeoutMs = 30_000) {
  const run = spawnSync(['bun', ...args], { cwd: root, env: { ...process.env, ...env }, timeout: timeoutMs })
  return { exitCode: run.exitCode, stdout: run.stdout.toString(), stderr: run.stderr.toString() }
}

/** What every api process here runs with: the tests' admin key, and no rate limit to speak of. */
const API_ENV = { ADMIN_API_KEY: ADMIN_KEY, RATE_LIMIT_PER_SECOND: '1000000', RATE_LIMIT_BURST: '1000000' }

/** An api process on a free port, once it answers; `url` is its address. */
export async function startApi(env: Record<string, string>): Promise<Child & { url: string }> {
  const child = startProcess(['src/main.ts'], { PORT: '0', ...API_ENV, ...env })
  const port = await waitFor(
    async () => /"msg":"api listening".*?"port":(\d+)/.exec(child.output())?.[1],
    20_000,
    'the api to listen',
  )
  return { ...child, url: `http://127.0.0.1:${port}` }
}

export async function startWorkerProcess(env: Record<string, string>, args: string[] = []): Promise<Child> {
  const child = startProcess(['jobs/worker/main.ts', ...args], env)
  await waitFor(async () => child.output().includes('"msg":"worker started"'), 20_000, 'the worker to start')
  return child
}

/** The environment that points processes at a harness's database and queue prefix. */
export const envOf = (config: { databaseUrl: string; redisUrl: string; queuePrefix: string }) => ({
  DATABASE_URL: config.databaseUrl,
  REDIS_URL: config.redisUrl,
  QUEUE_PREFIX: config.queuePrefix,
})
