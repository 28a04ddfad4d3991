import { readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { createTestPrefix } from '../support/services'
import { AUTH, AUTH_HEADER, fmt, freshDatabase, postJson, run, startSystem } from './lib/services'
import { uploadCsv } from './lib/upload-csv'

const SIZES = [1_000_000, 10_000_000]
const ROUNDS: Record<number, number> = { 1000000: 3, 10000000: 1 }
const PORT = 3501

const COPY_TABLE = `create table copy_target (
  id bigint primary key, f1 float8, f2 float8, f3 float8, f4 float8,
  f5 float8, f6 float8, f7 float8, f8 float8, category text)`

/** A line of /proc/<pid>/status in MB (VmRSS now, VmHWM the peak so far). */
function memoryMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`${field}:\\s+(\\d+) kB`))
  return Number(line![1]) / 1024
}

const seconds = async (task: () => Promise<unknown>) => {
  const start = performance.now()
  await task()
  return (performance.now() - start) / 1000
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!

/** `curl -T`: the file streamed from disk as a PUT body, as a user would send it. */
async function apiUpload(baseUrl: string, path: string, rows: number, curlOptions: string[] = []): Promise<number> {
  const { id } = await postJson<{ id: string }>(`${baseUrl}/api/datasets`, { name: 'upload bench' })
  const answer = `${tmpdir()}/dd-upload-bench-${id}.json`
  const time = await seconds(() =>
    run([
      'curl',
      '-sS',
      '-f',
      ...curlOptions,
      '-o',
      answer,
      '-T',
      path,
      '-H',
      'Content-Type: text/csv',
      '-H',
      AUTH_HEADER,
      `${baseUrl}/api/datasets/${id}/data`,
    ]),
  )
  const rowCount = JSON.parse(readFileSync(answer, 'utf8')).row_count
  rmSync(answer)
  if (rowCount !== rows) throw new Error(`upload stored ${rowCount} rows, not ${rows}`)
  return time
}

async function psqlCopy(databaseUrl: string, path: string): Promise<number> {
  await run(['psql', databaseUrl, '-qc', 'truncate copy_target'])
  return seconds(() =>
    run(['psql', databaseUrl, '-qc', `\\copy copy_target from '${path}' with (format csv, header true)`]),
  )
}

async function exportCsv(baseUrl: string): Promise<number> {
  const list = await (await fetch(`${baseUrl}/api/datasets?limit=1`, { headers: AUTH })).json()
  const id = (list as { data: { id: string }[] }).data[0]!.id
  return seconds(() =>
    run(['curl', '-sS', '-f', '-o', '/dev/null', '-H', AUTH_HEADER, `${baseUrl}/api/datasets/${id}/data`]),
  )
}

/**
 * Ten clients uploading the same file at once to a fresh api with the given upload limit, each
 * sending again when answered 429 (curl honours Retry-After): seconds until all are stored, and
 * the api's peak RSS.
 */
async function tenAtOnce(
  databaseUrl: string,
  redisPrefix: string,
  path: string,
  rows: number,
  maxConcurrentUploads: number,
): Promise<{ seconds: number; peak: number }> {
  const system = await startSystem({
    databaseUrl,
    prefix: redisPrefix,
    port: PORT,
    env: { MAX_CONCURRENT_UPLOADS: String(maxConcurrentUploads) },
  })
  try {
    const time = await seconds(() =>
      Promise.all(
        Array.from({ length: 10 }, () =>
          apiUpload(system.baseUrl, path, rows, ['--retry', '100', '--retry-max-time', '600']),
        ),
      ),
    )
    return { seconds: time, peak: memoryMb(system.apiPid, 'VmHWM') }
  } finally {
    await system.stop()
  }
}

/**
 * Upload throughput of a 10-column CSV through the HTTP API (`curl -T`, streamed from disk)
 * beside `psql \copy` of the same file into a typed table with a primary key, alternating in
 * the same run; the api's peak RSS for each file size (a fresh api process per size); and the
 * CSV export of the uploaded dataset. Then ten uploads of the smaller file at once, with the
 * api's upload limit (MAX_CONCURRENT_UPLOADS, 2) and without one (10).
 */
export async function upload(sizes = SIZES): Promise<Record<string, string>> {
  const db = await freshDatabase('dd_upload_bench')
  const redisPrefix = createTestPrefix()
  const figures: Record<string, string> = {}
  try {
    await run(['psql', db.url, '-qc', COPY_TABLE])
    for (const rows of sizes) {
      const file = await uploadCsv(rows)
      const mb = file.bytes / 1e6
      const system = await startSystem({
        databaseUrl: db.url,
        prefix: redisPrefix.prefix,
        port: PORT,
        env: { MAX_BODY_BYTES: String(2 * 1024 ** 3) },
      })
      const api: number[] = []
      const copy: number[] = []
      let idle = 0
      let peak = 0
      let exported = 0
      let peakAfterExport = 0
      try {
        idle = memoryMb(system.apiPid, 'VmRSS')
        for (let round = 0; round < (ROUNDS[rows] ?? 1); round++) {
          api.push(await apiUpload(system.baseUrl, file.path, rows))
          copy.push(await psqlCopy(db.url, file.path))
        }
        peak = memoryMb(system.apiPid, 'VmHWM')
        exported = await exportCsv(system.baseUrl)
        peakAfterExport = memoryMb(system.apiPid, 'VmHWM')
      } finally {
        await system.stop()
      }
      const apiS = median(api)
      const copyS = median(copy)
      const label = `${fmt(rows / 1e6, 0)}M rows × 10 columns, ${fmt(mb, 0)} MB`
      const every = (times: number[]) => times.map(t => `${fmt(t, 2)} s`).join(', ')
      figures[`${label}: api upload (curl -T, median of ${api.length})`] =
        `${fmt(apiS, 2)} s = ${fmt(rows / apiS / 1e3, 0)} k rows/s, ${fmt(mb / apiS, 1)} MB/s (every round: ${every(api)})`
      figures[`${label}: psql \\copy into a typed table with a primary key`] =
        `${fmt(copyS, 2)} s = ${fmt(rows / copyS / 1e3, 0)} k rows/s (every round: ${every(copy)})`
      figures[`${label}: ratio api / \\copy (rows/s)`] = fmt(copyS / apiS, 2)
      figures[`${label}: api peak RSS (VmHWM)`] = `${fmt(peak, 0)} MB (idle before: ${fmt(idle, 0)} MB)`
      figures[`${label}: CSV export (GET …/data)`] =
        `${fmt(exported, 2)} s = ${fmt(rows / exported / 1e3, 0)} k rows/s, ${fmt(mb / exported, 1)} MB/s; api peak RSS after it ${fmt(peakAfterExport, 0)} MB`
    }
    const rows = sizes[0]!
    const { path } = await uploadCsv(rows)
    for (const limit of [2, 10]) {
      const ten = await tenAtOnce(db.url, redisPrefix.prefix, path, rows, limit)
      figures[`ten ${fmt(rows / 1e6, 0)}M-row uploads at once, MAX_CONCURRENT_UPLOADS ${limit}`] =
        `all stored in ${fmt(ten.seconds, 1)} s; api peak RSS ${fmt(ten.peak, 0)} MB`
    }
    return figures
  } finally {
    await db.drop()
    await redisPrefix.clear()
  }
}
