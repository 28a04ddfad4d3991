import { bearer } from '../support/harness'
import { probeHealth } from '../support/health-probe'
import { repeatedBody, wideRecordBody } from '../support/hostile-bodies'
import { startApi } from '../support/processes'
import { MB, watchRss } from '../support/rss'
import { createTestDatabase, createTestPrefix, REDIS_URL } from '../support/services'
import { fmt } from './lib/services'
import { uploadCsv } from './lib/upload-csv'

const MiB = 1024 * 1024

/** Growth at which a case is stopped (its api killed), so that a runaway request cannot take the machine. */
const CEILING_BYTES = 3 * 1024 * MiB
/** How long a case may run before it is stopped. */
const TIME_LIMIT_MS = 120_000

/** What a case gets to send its request with: a fresh api process of its own. */
export type HostileContext = {
  url: string
  headers: Record<string, string>
  /** Aborted when the case is stopped (ceiling or time limit). */
  signal: AbortSignal
  /** Creates an empty dataset and answers its id. */
  emptyDataset(): Promise<string>
}

/**
 * One request (or set of requests) an attacker with an ordinary key could send, and how to
 * send it. `send` settles with the answer once the api has answered; the harness measures
 * the api's peak RSS growth, the time until that answer, and the worst GET /health latency
 * meanwhile. `env` is what the api runs with for this case, beside the defaults.
 */
export type HostileCase = {
  name: string
  env?: Record<string, string>
  send(context: HostileContext): Promise<Response>
}

const upload = async (context: HostileContext, contentType: string, body: BodyInit) =>
  fetch(`${context.url}/api/datasets/${await context.emptyDataset()}/data`, {
    method: 'PUT',
    body,
    headers: { ...context.headers, 'content-type': contentType },
    signal: context.signal,
  })

const ORDINARY_ROWS = 10_000

/** The baseline: an ordinary 1 MB CSV, measured in the same run as the hostile cases. */
const ORDINARY: HostileCase = {
  name: `ordinary 1 MB CSV upload (${fmt(ORDINARY_ROWS, 0)} rows × 10 columns)`,
  async send(context) {
    const { path } = await uploadCsv(ORDINARY_ROWS)
    return upload(context, 'text/csv', Bun.file(path).stream())
  },
}

/** Every hostile request of the hardening issue; add a case here to measure it beside the others. */
export const HOSTILE_CASES: HostileCase[] = [
  {
    name: 'CSV: one 8 MiB cell (MAX_CELL_BYTES is 64 KiB)',
    send: context => upload(context, 'text/csv', repeatedBody({ head: 'a,b\n1,', fill: 'x', bytes: 8 * MiB })),
  },
  {
    name: 'CSV: a 64 MiB line without a newline (short cells)',
    send: context => upload(context, 'text/csv', repeatedBody({ head: 'a,b\n', fill: '1,', bytes: 64 * MiB })),
  },
  {
    name: 'CSV: a 4 MiB header of commas',
    send: context => upload(context, 'text/csv', repeatedBody({ fill: ',', bytes: 4 * MiB, tail: '\n1\n' })),
  },
  {
    name: 'NDJSON: a 60 MB line (1,000 cells of 60 KiB; MAX_RECORD_BYTES is 4 MiB)',
    send: context => upload(context, 'application/x-ndjson', wideRecordBody(1000, 60 * 1024, '', '\n')),
  },
  {
    name: 'JSON array: a 60 MB element (1,000 cells of 60 KiB)',
    send: context => upload(context, 'application/json', wideRecordBody(1000, 60 * 1024, '[', ']')),
  },
]

type Outcome = { answer: string; seconds: number; growthMb: number; worstHealthMs: number; healthAnswered: number }

async function problemCode(res: Response): Promise<string> {
  const text = await res.text()
  try {
    const code = (JSON.parse(text) as { code?: unknown }).code
    return typeof code === 'string' ? ` ${code}` : ''
  } catch {
    return ''
  }
}

/** Runs one case against a fresh api process, warmed up by one small upload first. */
async function measure(one: HostileCase, env: Record<string, string>): Promise<Outcome> {
  const api = await startApi({ ...env, ...one.env })
  try {
    const emptyDataset = async () => {
      const res = await fetch(`${api.url}/api/datasets`, {
        method: 'POST',
        headers: { ...bearer(), 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'hostile bench' }),
      })
      return ((await res.json()) as { id: string }).id
    }
    const warm = await fetch(`${api.url}/api/datasets/${await emptyDataset()}/data`, {
      method: 'PUT',
      body: `a,b\n${Array.from({ length: 1000 }, (_, i) => `${i},x${i}`).join('\n')}\n`,
      headers: { ...bearer(), 'content-type': 'text/csv' },
    })
    if (warm.status !== 200) throw new Error(`warm-up upload answered ${warm.status}`)

    const stop = new AbortController()
    const watch = watchRss(api.proc.pid, { ceilingBytes: CEILING_BYTES })
    const probe = probeHealth(api.url)
    const start = performance.now()
    let timer: Timer | undefined
    const stopped = new Promise<string>(resolve => {
      void watch.exceeded.then(() => resolve(`stopped: grew past ${fmt(CEILING_BYTES / MB, 0)} MB`))
      timer = setTimeout(() => resolve(`stopped: no answer in ${TIME_LIMIT_MS / 1000} s`), TIME_LIMIT_MS)
    })
    const answered = one
      .send({ url: api.url, headers: bearer(), signal: stop.signal, emptyDataset })
      .then(async res => `${res.status}${await problemCode(res)}`)
      .catch((error: Error) => `failed: ${error.message}`)
    const answer = await Promise.race([answered, stopped])
    const seconds = (performance.now() - start) / 1000
    clearTimeout(timer)
    if (answer.startsWith('stopped')) {
      stop.abort()
      // A runaway api is killed rather than waited for; the probe's pending request fails with it.
      api.proc.kill('SIGKILL')
    }
    const health = await probe.stop()
    const rss = watch.stop()
    return {
      answer,
      seconds,
      growthMb: rss.growth / MB,
      worstHealthMs: health.worstMs,
      healthAnswered: health.answered,
    }
  } finally {
    await api.stop('SIGKILL')
  }
}

/**
 * `bun run bench hostile`: each hostile request of HOSTILE_CASES against a fresh api process
 * (default limits), beside an ordinary 1 MB CSV upload measured the same way in the same run:
 * what the api answered and after how long, its peak RSS growth over the request (VmHWM, reset
 * before it), and the slowest of the GET /health requests sent one after another meanwhile.
 */
export async function hostile(cases = HOSTILE_CASES): Promise<Record<string, string>> {
  const database = await createTestDatabase()
  const prefix = createTestPrefix()
  const env = { DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: prefix.prefix }
  const figures: Record<string, string> = {}
  const rows: string[] = [
    '| request | answer | time to answer | api peak RSS growth | worst GET /health (answered) |',
    '| --- | --- | --- | --- | --- |',
  ]
  try {
    for (const one of [ORDINARY, ...cases]) {
      const o = await measure(one, env)
      const health = `${fmt(o.worstHealthMs, 0)} ms (${o.healthAnswered})`
      figures[one.name] =
        `${o.answer} after ${fmt(o.seconds, 2)} s; api RSS +${fmt(o.growthMb, 0)} MB; worst GET /health ${health}`
      rows.push(`| ${one.name} | ${o.answer} | ${fmt(o.seconds, 2)} s | +${fmt(o.growthMb, 0)} MB | ${health} |`)
    }
    console.log(`\n${rows.join('\n')}`)
    return figures
  } finally {
    await database.drop()
    await prefix.clear()
  }
}
