import { readdirSync, readFileSync } from 'node:fs'
import { spawnSync } from 'bun'

/** Where a throughput run spends the machine's CPU, by part of the system. */
export type CpuParts = Map<string, number>

const CLOCK_TICKS_PER_SECOND = Number(spawnSync(['getconf', 'CLK_TCK']).stdout.toString().trim()) || 100

/** user + system CPU of a process or thread, in ms, from its `stat` (fields 14 and 15). */
function cpuMs(statPath: string): { name: string; ms: number } | null {
  let stat: string
  try {
    stat = readFileSync(statPath, 'utf8')
  } catch {
    return null
  }
  const close = stat.lastIndexOf(')')
  const fields = stat.slice(close + 2).split(' ')
  const ticks = Number(fields[11]) + Number(fields[12])
  return { name: stat.slice(stat.indexOf('(') + 1, close), ms: (ticks * 1000) / CLOCK_TICKS_PER_SECOND }
}

const commandOf = (pid: string) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
  } catch {
    return ''
  }
}

/** A Bun process's threads: JavaScriptCore's compiler threads apart from the rest. */
function addThreads(parts: CpuParts, pid: number, label: (thread: string) => string): void {
  let threads: string[]
  try {
    threads = readdirSync(`/proc/${pid}/task`)
  } catch {
    return
  }
  for (const tid of threads) {
    const thread = cpuMs(`/proc/${pid}/task/${tid}/stat`)
    if (!thread) continue
    const part = thread.name.startsWith('JIT') ? 'JIT compiling' : label(thread.name)
    parts.set(part, (parts.get(part) ?? 0) + thread.ms)
  }
}

/**
 * CPU used so far by the api, the worker (its main thread and its analysis threads apart),
 * PostgreSQL, Redis and this benchmark's own client, read from /proc (Linux only). Every
 * PostgreSQL and Redis process on the machine counts, so the figures hold for a run alone.
 */
export function cpuSoFar(pids: { api: number; worker: number }): CpuParts {
  const parts: CpuParts = new Map()
  addThreads(parts, pids.api, () => 'api')
  addThreads(parts, pids.worker, thread => (thread === 'Worker' ? 'analysis threads' : 'worker main'))
  addThreads(parts, process.pid, () => 'benchmark client')
  for (const pid of readdirSync('/proc').filter(entry => /^\d+$/.test(entry))) {
    const command = commandOf(pid)
    const part =
      command.startsWith('postgres') || command.includes('/bin/postgres')
        ? 'PostgreSQL'
        : command.includes('redis-server')
          ? 'Redis'
          : null
    const own = part && cpuMs(`/proc/${pid}/stat`)
    if (part && own) parts.set(part, (parts.get(part) ?? 0) + own.ms)
  }
  return parts
}

/** What each part spent per task between two readings, largest first, and the total. */
export function cpuPerTask(before: CpuParts, after: CpuParts, tasks: number): string {
  const spent = [...after]
    .map(([part, ms]) => [part, (ms - (before.get(part) ?? 0)) / tasks] as const)
    .filter(([, ms]) => ms > 0)
    .sort((a, b) => b[1] - a[1])
  const total = spent.reduce((sum, [, ms]) => sum + ms, 0)
  return `${spent.map(([part, ms]) => `${part} ${ms.toFixed(2)}`).join(', ')}; total ${total.toFixed(2)} ms`
}
