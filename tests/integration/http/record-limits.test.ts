import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { apiClient } from '../../support/api-client'
import { countRows, dataSnapshot, emptyDataset, putData, streamOf } from '../../support/datasets'
import { createHarness, type Harness } from '../../support/harness'
import { probeHealth } from '../../support/health-probe'
import { repeatedBody, wideRecordBody } from '../../support/hostile-bodies'
import { type Child, envOf, startApi } from '../../support/processes'
import { MB, watchRss } from '../../support/rss'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(60_000)

const MiB = 1024 * 1024

let h: Harness
beforeAll(async () => {
  h = await createHarness({ MAX_RECORD_BYTES: '1024', CHUNK_ROWS: '3' })
})
afterAll(() => h.close())

/** A record of exactly `bytes` bytes of CSV (no line end), in two-byte characters where it can. */
const csvRecord = (bytes: number) => `1,${'é'.repeat((bytes - 2) >> 1)}${(bytes - 2) % 2 ? 'x' : ''}`
/** The same, as a JSON object. */
const jsonRecord = (bytes: number) => `{"a":1,"b":"${'é'.repeat((bytes - 14) >> 1)}${(bytes - 14) % 2 ? 'x' : ''}"}`

/** Sends an upload that must be refused for its record's length; checks it named the record and changed nothing. */
async function refusedRecord(id: string, send: () => Promise<{ status: number; body: any }>) {
  const before = await dataSnapshot(h, id)
  const res = await send()
  expect(res.status).toBe(422)
  expect(res.body.code).toBe('LIMIT_EXCEEDED')
  expect(res.body.detail).toContain('longer than 1024 bytes, the limit (MAX_RECORD_BYTES)')
  expect(await dataSnapshot(h, id)).toEqual(before)
  return res.body
}

describe('MAX_RECORD_BYTES', () => {
  test('a CSV record, an NDJSON line and a JSON element of exactly the limit are stored', async () => {
    expect(Buffer.byteLength(csvRecord(1024))).toBe(1024)
    expect(Buffer.byteLength(jsonRecord(1024))).toBe(1024)
    const id = await emptyDataset(h)
    const uploads: [string, string][] = [
      [`a,b\r\n${csvRecord(1024)}\r\n${csvRecord(10)}\r\n`, 'text/csv'],
      [`${jsonRecord(1024)}\r\n${jsonRecord(20)}\n`, 'application/x-ndjson'],
      [`[${jsonRecord(1024)},${jsonRecord(20)}]`, 'application/json'],
    ]
    for (const [body, type] of uploads) {
      const res = await putData(h, id, body, type)
      expect({ type, status: res.status, rows: res.body.row_count }).toEqual({ type, status: 200, rows: 2 })
    }
  })

  test('one byte more is a 422 naming the limit and the line or element, and stores nothing', async () => {
    const id = await emptyDataset(h)
    const csv = await refusedRecord(id, () =>
      putData(h, id, streamOf(['a,b\n', `${csvRecord(10)}\n`, csvRecord(1025), '\n']), 'text/csv'),
    )
    expect(csv.errors).toEqual([{ path: 'line 3', line: 3, message: expect.stringContaining('a record longer') }])
    const ndjson = await refusedRecord(id, () =>
      putData(h, id, `${jsonRecord(20)}\n\n${jsonRecord(1025)}\n`, 'application/x-ndjson'),
    )
    expect(ndjson.errors).toEqual([{ path: 'line 3', line: 3, message: expect.stringContaining('a line longer') }])
    const json = await refusedRecord(id, () =>
      putData(h, id, `[${jsonRecord(20)},${jsonRecord(1025)}]`, 'application/json'),
    )
    expect(json.errors).toEqual([{ path: 'body.1', row: 2, message: expect.stringContaining('an element longer') }])
  })

  test('inline CSV and a multipart file are held to it too', async () => {
    const datasets = await countRows(h, 'datasets')
    const inline = await h.request('POST', '/api/datasets', {
      json: { name: 'inline', csv: `a,b\n${csvRecord(1025)}\n` },
    })
    expect(inline.status).toBe(422)
    expect(inline.body).toMatchObject({ code: 'LIMIT_EXCEEDED', errors: [{ path: 'line 2', line: 2 }] })
    const form = new FormData()
    form.set('name', 'multipart')
    form.set('file', new File([`${jsonRecord(1025)}\n`], 'rows.ndjson'))
    const file = await h.request('POST', '/api/datasets', { body: form })
    expect(file.status).toBe(422)
    expect(file.body).toMatchObject({ code: 'LIMIT_EXCEEDED', errors: [{ path: 'line 1', line: 1 }] })
    expect(await countRows(h, 'datasets')).toBe(datasets)
  })
})

/**
 * The api as a process of its own, with the default limits: its memory is what the kernel
 * says it holds while a hostile body streams in.
 */
describe('hostile records against an api process', () => {
  let api: Child & { url: string }
  const GROWTH_LIMIT = 64 * MB

  beforeAll(async () => {
    api = await startApi(envOf(h.config))
    // One ordinary upload first, so that what the hostile ones cost is not the first upload's warm-up.
    const res = await upload('text/csv', `a,b\n${Array.from({ length: 5000 }, (_, i) => `${i},x${i}`).join('\n')}\n`)
    expect(res.status).toBe(200)
  })
  afterAll(() => api.stop('SIGKILL'))

  async function upload(contentType: string, body: BodyInit, signal?: AbortSignal) {
    const client = apiClient(api.url)
    return client.putData(await client.dataset(), contentType, body, { signal })
  }

  /**
   * Streams a hostile body at the api while watching its RSS; a request that makes it grow
   * past the limit is broken off at once (the test has failed), so that a runaway api never
   * takes the machine.
   */
  async function hostile(contentType: string, body: ReadableStream<Uint8Array>) {
    const stop = new AbortController()
    const watch = watchRss(api.proc.pid, { ceilingBytes: GROWTH_LIMIT })
    void watch.exceeded.then(() => stop.abort())
    const res = await upload(contentType, body, stop.signal).catch((error: Error) => error)
    const rss = watch.stop()
    const answer = res instanceof Response ? { status: res.status, code: (await res.json()).code } : res.message
    return { answer, growthMb: Math.round(rss.growth / MB) }
  }

  test('an 8 MiB cell is refused once it passes MAX_CELL_BYTES, and the api grows by less than 64 MB', async () => {
    const { answer, growthMb } = await hostile('text/csv', repeatedBody({ head: 'a,b\n1,', fill: 'x', bytes: 8 * MiB }))
    expect(answer).toEqual({ status: 422, code: 'LIMIT_EXCEEDED' })
    expect(growthMb).toBeLessThan(64)
  })

  test('a 64 MiB line without a newline is refused once it passes MAX_RECORD_BYTES, in less than 64 MB', async () => {
    const { answer, growthMb } = await hostile('text/csv', repeatedBody({ head: 'a,b\n', fill: '1,', bytes: 64 * MiB }))
    expect(answer).toEqual({ status: 422, code: 'LIMIT_EXCEEDED' })
    expect(growthMb).toBeLessThan(64)
  })

  test('an NDJSON line and a JSON element of 1,000 cells of 8 KiB are refused past MAX_RECORD_BYTES, in less than 64 MB', async () => {
    const line = await hostile('application/x-ndjson', wideRecordBody(1000, 8 * 1024, '', '\n'))
    expect(line).toEqual({ answer: { status: 422, code: 'LIMIT_EXCEEDED' }, growthMb: expect.any(Number) })
    expect(line.growthMb).toBeLessThan(64)
    const element = await hostile('application/json', wideRecordBody(1000, 8 * 1024, '[', ']'))
    expect(element).toEqual({ answer: { status: 422, code: 'LIMIT_EXCEEDED' }, growthMb: expect.any(Number) })
    expect(element.growthMb).toBeLessThan(64)
  })

  test('a 4 MiB header of commas is refused at once while GET /health keeps answering', async () => {
    const probe = probeHealth(api.url, 1)
    const answers: { status: number; code: string; detail: string; seconds: number }[] = []
    for (let round = 0; round < 3; round++) {
      const start = performance.now()
      const res = await upload('text/csv', repeatedBody({ fill: ',', bytes: 4 * MiB, tail: '\n1\n' }))
      const { code, detail } = await res.json()
      answers.push({ status: res.status, code, detail, seconds: (performance.now() - start) / 1000 })
    }
    const health = await probe.stop()
    for (const answer of answers)
      expect(answer).toEqual({
        status: 422,
        code: 'LIMIT_EXCEEDED',
        detail: 'line 1, column 1001: the header has more than 1000 columns; the limit is 1000',
        seconds: expect.any(Number),
      })
    // Generous bounds for a loaded machine: the refusal takes milliseconds, and so does /health.
    expect(Math.max(...answers.map(a => a.seconds))).toBeLessThan(1)
    expect(health.answered).toBeGreaterThan(0)
    expect(health.failed).toBe(0)
    expect(health.worstMs).toBeLessThan(250)
  })
})
