import { sql } from 'drizzle-orm'
import type { Harness } from './harness'

export const countRows = async (h: Harness, table: string): Promise<number> => {
  const [row] = await h.db.execute<{ n: number }>(sql.raw(`select count(*)::int as n from ${table}`))
  return row!.n
}

/** Everything an upload could change: the dataset, all of its rows, and the stored versions and chunks. */
export async function dataSnapshot(h: Harness, id: string) {
  const dataset = (await h.request('GET', `/api/datasets/${id}`)).body
  const rows = (await h.request('GET', `/api/datasets/${id}/rows?limit=1000`)).body
  const [versions, chunks] = await Promise.all([countRows(h, 'dataset_versions'), countRows(h, 'dataset_chunks')])
  return { dataset, rows, versions, chunks }
}

/** All rows of a dataset, read back through the API. */
export async function allRows(h: Harness, id: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = []
  for (let offset = 0; ; offset += 1000) {
    const page = (await h.request('GET', `/api/datasets/${id}/rows?offset=${offset}&limit=1000`)).body
    rows.push(...page.data)
    if (offset + 1000 >= page.total) return rows
  }
}

/** Uploads raw data to an existing dataset. */
export const putData = (
  h: Harness,
  id: string,
  body: BodyInit,
  contentType: string,
  headers: Record<string, string> = {},
) => h.request('PUT', `/api/datasets/${id}/data`, { body, headers: { 'content-type': contentType, ...headers } })

/** Creates an empty dataset and answers its id. */
export async function emptyDataset(h: Harness, name = 'd'): Promise<string> {
  const res = await h.request('POST', '/api/datasets', { json: { name } })
  if (res.status !== 201) throw new Error(`could not create a dataset: ${res.text}`)
  return res.body.id
}

/** Creates a dataset holding `rows` (given inline), as `key` (the admin by default), and answers its id. */
export async function datasetWithRows(
  h: Harness,
  rows: Record<string, unknown>[] = [{ x: 1 }],
  { key, name = 'd' }: { key?: string; name?: string } = {},
): Promise<string> {
  const res = await h.request('POST', '/api/datasets', { key, json: { name, rows } })
  if (res.status !== 201) throw new Error(`could not create a dataset: ${res.text}`)
  return res.body.id
}

/** Transactions open in this harness's database other than the asking one's. */
export async function openTransactions(h: Harness): Promise<number> {
  const [row] = await h.db.execute<{ n: number }>(
    sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and xact_start is not null and pid <> pg_backend_pid()`,
  )
  return row!.n
}

/** A body that arrives in the given pieces, as a client streaming without Content-Length would send it. */
export function streamOf(pieces: (string | Uint8Array)[], failAtEnd?: Error): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  let i = 0
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < pieces.length) {
        const piece = pieces[i++]!
        controller.enqueue(typeof piece === 'string' ? encoder.encode(piece) : piece)
      } else if (failAtEnd) controller.error(failAtEnd)
      else controller.close()
    },
  })
}

/**
 * A CSV body that sends `first` (its header and first rows), then nothing until `finish` is
 * called (never, if it is not), then one more row. No read-ahead (high-water mark 0): the first
 * pull is the server reading the body, which `reading` announces.
 */
export function heldBody(first = 'a,b\n1,x\n2,y\n') {
  const encoder = new TextEncoder()
  let finish!: () => void
  const finished = new Promise<void>(resolve => {
    finish = resolve
  })
  let startedReading!: () => void
  const reading = new Promise<void>(resolve => {
    startedReading = resolve
  })
  let piece = 0
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        piece++
        if (piece === 1) {
          controller.enqueue(encoder.encode(first))
          startedReading()
        } else if (piece === 2) {
          await finished
          controller.enqueue(encoder.encode('3,z\n'))
        } else controller.close()
      },
    },
    { highWaterMark: 0 },
  )
  return { body, reading, finish }
}

/** Every row the API can change (datasets, tasks, keys, and how many chunks are stored), in one fingerprint. */
export async function rowsFingerprint(h: Harness): Promise<string> {
  const [row] = await h.db.$client`
    select
      (select coalesce(md5(string_agg(d::text, ',' order by id)), '') from datasets d) as datasets,
      (select coalesce(md5(string_agg(t::text, ',' order by id)), '') from tasks t) as tasks,
      (select coalesce(md5(string_agg(k::text, ',' order by id)), '') from api_keys k) as keys,
      (select count(*) from dataset_chunks) as chunks`
  return JSON.stringify(row)
}
