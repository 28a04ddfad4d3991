import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test'
import { sql } from 'drizzle-orm'
import { emptyDataset } from '../../support/datasets'
import { bearer, createHarness, type Harness, waitFor } from '../../support/harness'
import { type Child, envOf, startApi } from '../../support/processes'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(30_000)

let h: Harness
let api: Child & { url: string }

beforeAll(async () => {
  h = await createHarness()
  api = await startApi({ ...envOf(h.config), CHUNK_ROWS: '1000' })
})
afterAll(async () => {
  await api.stop('SIGKILL')
  await h.close()
})

/** A CSV body that sends `before` rows, waits for `resume`, then sends `after` more. */
function pausedCsv(before: number, after: number, resume: Promise<void>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  const piece = (from: number) =>
    encoder.encode(Array.from({ length: 500 }, (_, i) => `${from + i},${(from + i) * 0.5},g${i % 9}\n`).join(''))
  let sent = 0
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent === 0) controller.enqueue(encoder.encode('id,x,group\n'))
      if (sent === before) await resume
      if (sent >= before + after) return controller.close()
      controller.enqueue(piece(sent))
      sent += 500
    },
  })
}

const upload = (id: string, body: ReadableStream<Uint8Array>) =>
  fetch(`${api.url}/api/datasets/${id}/data`, {
    method: 'PUT',
    body,
    headers: { ...bearer(), 'content-type': 'text/csv' },
  })

/** The api's connections to PostgreSQL that wait inside a transaction (an upload waiting for its body). */
const apiTransactions = async () => {
  const rows = await h.db.execute<{ pid: number }>(
    sql`select pid from pg_stat_activity where datname = current_database() and application_name = 'datadynamo-api' and state = 'idle in transaction'`,
  )
  return rows.map(row => row.pid)
}

test('PostgreSQL connections cut in the middle of uploads: each answers 503, nothing is stored, the api lives on', async () => {
  const ids = [await emptyDataset(h, 'first'), await emptyDataset(h, 'second')]
  let resume!: () => void
  const resumed = new Promise<void>(r => {
    resume = r
  })
  const answers = ids.map(id => upload(id, pausedCsv(5_000, 5_000, resumed)))
  const pids = await waitFor(
    async () => {
      const open = await apiTransactions()
      return open.length === 2 ? open : null
    },
    10_000,
    'both uploads to wait for the rest of their bodies',
  )
  // As a PostgreSQL restart or a failover would: the server ends the api's sessions under it.
  await h.db.execute(sql`select pg_terminate_backend(pid) from unnest(${`{${pids.join(',')}}`}::int[]) as pid`)
  resume()

  for (const res of await Promise.all(answers)) {
    expect(res.status).toBe(503)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    expect(await res.json()).toMatchObject({ status: 503, code: 'DEPENDENCY_UNAVAILABLE' })
  }
  expect(api.proc.exitCode).toBeNull()
  for (const id of ids) {
    const dataset = (await (await fetch(`${api.url}/api/datasets/${id}`, { headers: bearer() })).json()) as {
      status: string
      row_count: number
    }
    expect(dataset).toMatchObject({ status: 'empty', row_count: 0 })
  }
  const [chunks] = await h.db.execute<{ n: number }>(sql`select count(*)::int as n from dataset_chunks`)
  expect(chunks!.n).toBe(0)

  const again = await upload(ids[0]!, pausedCsv(500, 500, Promise.resolve()))
  expect(again.status).toBe(200)
  expect(((await again.json()) as { row_count: number }).row_count).toBe(1000)
  expect(api.proc.exitCode).toBeNull()
})
