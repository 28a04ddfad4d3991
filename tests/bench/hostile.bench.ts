import { apiClient } from '../support/api-client'
import { probeHealth } from '../support/health-probe'
import { startApi, startWorkerProcess } from '../support/processes'
import { MB, watchRss } from '../support/rss'
import { createTestDatabase, createTestPrefix, REDIS_URL } from '../support/services'
import type { Answer, HostileCase, HostileContext } from './lib/hostile/case'
import { readResponse } from './lib/hostile/case'
import { FAIR_SHARE_CASES } from './lib/hostile/fair-shares'
import { ODD_VALUE_CASES } from './lib/hostile/odd-values'
import { ORDINARY, RECORD_CASES } from './lib/hostile/records'
import { RESULT_CASES } from './lib/hostile/results'
import { STREAM_CASES } from './lib/hostile/streams'
import { VALIDATION_CASES } from './lib/hostile/validation'
import { fmt } from './lib/services'

/** Growth at which a case is stopped (its api killed), so that a runaway request cannot take the machine. */
const CEILING_BYTES = 3 * 1024 * MB
/** How long a measured request may run before it is stopped. */
const TIME_LIMIT_MS = 120_000

/** Every hostile request of the hardening issue, in its order; add a case to a list to measure it beside the others. */
export const HOSTILE_CASES: HostileCase[] = [
  ...RECORD_CASES,
  ...VALIDATION_CASES,
  ...RESULT_CASES,
  ...STREAM_CASES,
  ...FAIR_SHARE_CASES,
  ...ODD_VALUE_CASES,
]

type Figures = { seconds: number; growthMb: number; worstHealthMs: number; healthAnswered: number }
type Outcome = Answer & Figures

/** Runs one case against a fresh api process (and worker), warmed up by one small upload first. */
async function runCase(one: HostileCase, env: Record<string, string>): Promise<Outcome> {
  const caseEnv = { ...env, ...one.env }
  const api = await startApi(caseEnv)
  const worker = one.worker ? await startWorkerProcess(caseEnv) : undefined
  const stop = new AbortController()
  let figures: Figures | undefined
  let stoppedBecause: string | undefined
  try {
    const client = apiClient(api.url)
    const warm = await client.putData(
      await client.dataset(),
      'text/csv',
      `a,b\n${Array.from({ length: 1000 }, (_, i) => `${i},x${i}`).join('\n')}\n`,
    )
    if (warm.status !== 200) throw new Error(`warm-up upload answered ${warm.status}`)

    const measure = async (send: () => Promise<Response | Answer>): Promise<Answer> => {
      if (figures) throw new Error(`${one.name}: a case measures once`)
      const watch = watchRss(api.proc.pid, { ceilingBytes: CEILING_BYTES })
      const probe = probeHealth(api.url)
      const start = performance.now()
      let timer: Timer | undefined
      const stopped = new Promise<Answer>(resolve => {
        void watch.exceeded.then(() => resolve({ answer: `stopped: grew past ${fmt(CEILING_BYTES / MB, 0)} MB` }))
        timer = setTimeout(() => resolve({ answer: `stopped: no answer in ${TIME_LIMIT_MS / 1000} s` }), TIME_LIMIT_MS)
      })
      const answered = send()
        .then(async res => (res instanceof Response ? { answer: (await readResponse(res)).answer } : res))
        .catch((error: Error) => ({ answer: `failed: ${error.message}` }))
      const answer = await Promise.race([answered, stopped])
      const seconds = (performance.now() - start) / 1000
      clearTimeout(timer)
      if (answer.answer.startsWith('stopped')) {
        stoppedBecause = answer.answer
        stop.abort()
        // A runaway api is killed rather than waited for; the probe's pending request fails with it.
        api.proc.kill('SIGKILL')
      }
      const health = await probe.stop()
      figures = {
        seconds,
        growthMb: watch.stop().growth / MB,
        worstHealthMs: health.worstMs,
        healthAnswered: health.answered,
      }
      return answer
    }

    const context: HostileContext = {
      url: api.url,
      port: Number(new URL(api.url).port),
      queuePrefix: caseEnv.QUEUE_PREFIX!,
      api,
      worker,
      client,
      signal: stop.signal,
      measure,
    }
    const answer = await one.run(context).catch((error: Error) => {
      // what happens after a stop (the api killed) is not the case's answer
      if (stoppedBecause) return { answer: stoppedBecause }
      throw error
    })
    if (!figures) throw new Error(`${one.name}: the case never measured its request`)
    return { ...answer, ...figures }
  } finally {
    stop.abort()
    await worker?.stop('SIGKILL')
    await api.stop('SIGKILL')
  }
}

/**
 * `bun run bench hostile`: each hostile request of HOSTILE_CASES against a fresh api process
 * (default limits unless the case says otherwise), beside an ordinary 1 MB CSV upload measured
 * the same way in the same run: what the api answered and after how long, its peak RSS growth
 * over the request (VmHWM, reset before it), and the slowest of the GET /health requests sent
 * one after another meanwhile. `HOSTILE_ONLY=<text> bun run bench hostile` runs only the cases
 * whose names hold the text (and the ordinary upload).
 */
export async function hostile(
  cases = HOSTILE_CASES.filter(one => one.name.includes(process.env.HOSTILE_ONLY ?? '')),
): Promise<Record<string, string>> {
  const database = await createTestDatabase()
  const prefix = createTestPrefix()
  const env = { DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: prefix.prefix }
  const figures: Record<string, string> = {}
  const rows: string[] = [
    '| request | answer | time to answer | api peak RSS growth | worst GET /health (answered) | also seen |',
    '| --- | --- | --- | --- | --- | --- |',
  ]
  try {
    for (const one of [ORDINARY, ...cases]) {
      const o = await runCase(one, env).catch((error: Error) => error)
      if (o instanceof Error) {
        // one case that cannot run (a set-up the code does not allow) leaves the others to run
        figures[one.name] = `could not run: ${o.message}`
        rows.push(`| ${one.name} | could not run: ${o.message} | | | | |`)
        continue
      }
      const time = `${fmt(o.seconds, 2)} s`
      const growth = `+${fmt(o.growthMb, 0)} MB`
      const health = `${fmt(o.worstHealthMs, 0)} ms (${o.healthAnswered})`
      figures[one.name] =
        `${o.answer} after ${time}; api RSS ${growth}; worst GET /health ${health}${o.note ? `; ${o.note}` : ''}`
      rows.push(`| ${one.name} | ${o.answer} | ${time} | ${growth} | ${health} | ${o.note ?? ''} |`)
    }
    console.log(`\n${rows.join('\n')}`)
    return figures
  } finally {
    await database.drop()
    await prefix.clear()
  }
}
