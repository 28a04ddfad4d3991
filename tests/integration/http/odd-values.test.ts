import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { Elysia } from 'elysia'
import { errorHandler } from '../../../src/http/errors'
import type { LogFields, Logger } from '../../../src/logger'
import { rowsFingerprint } from '../../support/datasets'
import { ADMIN_KEY, createHarness, type Harness } from '../../support/harness'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(30_000)

let h: Harness
let dataset: string
beforeAll(async () => {
  h = await createHarness()
  dataset = (await h.request('POST', '/api/datasets', { json: { name: 'd', description: 'kept', rows: [{ x: 1 }] } }))
    .body.id
})
afterAll(() => h.close())

/** Sends a request that must be refused with a 4xx problem, and changes nothing. */
async function refused(method: string, path: string, init: { json?: unknown; body?: BodyInit; type?: string } = {}) {
  const before = await rowsFingerprint(h)
  const headers: Record<string, string> = init.type ? { 'content-type': init.type } : {}
  const res = await h.request(method, path, { json: init.json, body: init.body, headers })
  expect(res.status, `${method} ${path}: ${res.text}`).toBeGreaterThanOrEqual(400)
  expect(res.status, `${method} ${path}: ${res.text}`).toBeLessThan(500)
  expect(res.headers.get('content-type')).toBe('application/problem+json')
  expect(await rowsFingerprint(h)).toBe(before)
  return res.body
}

const cursor = (time: string) => Buffer.from(`${time}|00000000-0000-4000-8000-000000000000`).toString('base64url')
const NOT_TEXT = 'must not hold NUL (U+0000) or an unpaired surrogate'
const BAD_TEXT = ['a\u0000b', '\u0000', 'a\ud800', '\udc00b']

describe('no 500 on an odd value', () => {
  test('a cursor whose time PostgreSQL cannot hold is a 422 on every list', async () => {
    for (const time of [
      '+275760-09-13T00:00:00.000Z',
      '0000-01-01T00:00:00.000Z',
      '-000001-01-01T00:00:00.000Z',
      '2026-13-45T00:00:00.000Z',
      '2026-01-01T00:00:00Z',
    ])
      for (const list of ['/api/datasets', '/api/tasks', '/api/keys'])
        expect(await refused('GET', `${list}?cursor=${cursor(time)}`)).toMatchObject({
          status: 422,
          code: 'INVALID_CURSOR',
          errors: [{ path: 'query.cursor', message: 'not a cursor this API issued' }],
        })
    const page = await h.request('GET', `/api/datasets?cursor=${cursor('2999-01-01T00:00:00.000Z')}`)
    expect(page.body.data.map((d: { id: string }) => d.id)).toEqual([dataset])
  })

  test('PATCH {} changes nothing, and answers the dataset as it is', async () => {
    const before = await rowsFingerprint(h)
    const current = (await h.request('GET', `/api/datasets/${dataset}`)).body
    const res = await h.request('PATCH', `/api/datasets/${dataset}`, { json: {} })
    expect(res.status).toBe(200)
    expect(res.body).toEqual(current)
    expect(await rowsFingerprint(h)).toBe(before)
    expect((await h.request('PATCH', `/api/datasets/${crypto.randomUUID()}`, { json: {} })).status).toBe(404)
  })

  test('NUL or an unpaired surrogate in a name, a description or ?q= is a 422 naming the field', async () => {
    for (const bad of BAD_TEXT) {
      const named = [{ path: 'body.name', message: expect.stringContaining('NUL (U+0000) or an unpaired surrogate') }]
      expect((await refused('POST', '/api/datasets', { json: { name: bad } })).errors).toEqual(named)
      expect((await refused('PUT', `/api/datasets/${dataset}`, { json: { name: bad } })).errors).toEqual(named)
      expect((await refused('PATCH', `/api/datasets/${dataset}`, { json: { name: bad } })).errors).toEqual(named)
      const described = [{ path: 'body.description', message: NOT_TEXT }]
      expect((await refused('POST', '/api/datasets', { json: { name: 'n', description: bad } })).errors).toEqual(
        described,
      )
      expect((await refused('PATCH', `/api/datasets/${dataset}`, { json: { description: bad } })).errors).toEqual(
        described,
      )
      expect((await refused('GET', `/api/datasets?q=${encodeURIComponent(bad.toWellFormed())}x%00`)).errors).toEqual([
        { path: 'query.q', message: NOT_TEXT },
      ])
      expect((await refused('POST', '/api/keys', { json: { name: bad } })).errors).toEqual([
        { path: 'body.name', message: NOT_TEXT },
      ])
    }
  })

  test('NUL in a multipart name or description is a 422 naming the field', async () => {
    // A form is sent as UTF-8, where an unpaired surrogate is already U+FFFD: NUL is what gets through.
    for (const bad of ['a\u0000b', '\u0000'])
      for (const field of ['name', 'description']) {
        const form = new FormData()
        form.set('name', 'n')
        form.set(field, bad)
        form.set('file', new File(['a\n1\n'], 'a.csv', { type: 'text/csv' }))
        const body = await refused('POST', '/api/datasets', { body: form })
        expect(body.errors).toEqual([{ path: `body.${field}`, message: expect.stringContaining('NUL (U+0000)') }])
      }
  })

  test('a column name with NUL or an unpaired surrogate is refused by every way data comes in', async () => {
    const wide = 'w'.repeat(600) // past the first 512 bytes, where a NUL byte reads as binary data
    for (const bad of BAD_TEXT) {
      const json = JSON.stringify(bad)
      const cases: [string, string, { json?: unknown; body?: BodyInit; type?: string }][] = [
        ['POST', '/api/datasets', { json: { name: 'n', rows: [{ a: 1, [bad]: 2 }] } }],
        ['PUT', `/api/datasets/${dataset}/data`, { body: `{"a":1,${json}:2}\n`, type: 'application/x-ndjson' }],
        ['PUT', `/api/datasets/${dataset}/data`, { body: `[{"a":1},{${json}:2}]`, type: 'application/json' }],
      ]
      if (bad.isWellFormed() || bad.includes('\u0000')) {
        cases.push(['POST', '/api/datasets', { json: { name: 'n', csv: `${wide},${bad}\n1,2\n` } }])
        if (bad.isWellFormed())
          cases.push(['PUT', `/api/datasets/${dataset}/data`, { body: `${wide},${bad}\n1,2\n`, type: 'text/csv' }])
      }
      for (const [method, path, init] of cases) {
        const body = await refused(method, path, init)
        expect({ path, code: body.code }).toEqual({ path, code: 'INVALID_COLUMNS' })
        expect(body.errors[0].message).toContain('column name holds NUL (U+0000) or an unpaired surrogate')
      }
    }
  })

  test('a multipart file refused part-way through answers at once, with the column named', async () => {
    // Refused once its header is read, while busboy still held the rest: this used to wait forever.
    const blank = new FormData()
    blank.set('name', 'n')
    blank.set('file', new File([`${'w'.repeat(600)},\n1,2\n`], 'a.csv', { type: 'text/csv' }))
    expect(await refused('POST', '/api/datasets', { body: blank })).toMatchObject({
      code: 'INVALID_COLUMNS',
      errors: [{ path: 'columns[1]', message: 'column name is empty' }],
    })
    const form = new FormData()
    form.set('name', 'n')
    form.set('file', new File([`${'w'.repeat(600)},a\u0000\n1,2\n`], 'a.csv', { type: 'text/csv' }))
    expect(await refused('POST', '/api/datasets', { body: form })).toMatchObject({
      code: 'INVALID_COLUMNS',
      errors: [{ path: 'columns[1]', message: 'column name holds NUL (U+0000) or an unpaired surrogate' }],
    })
    const ragged = new FormData()
    ragged.set('name', 'n')
    ragged.set('file', new File([`a,b\n${'1,2\n'.repeat(300)}3\n`], 'a.csv', { type: 'text/csv' }))
    expect(await refused('POST', '/api/datasets', { body: ragged })).toMatchObject({
      code: 'RAGGED_ROW',
      errors: [{ line: 302 }],
    })
  })

  test('a multipart field past its limit creates nothing, whether it comes before or after the file', async () => {
    for (const fileFirst of [false, true]) {
      const form = new FormData()
      form.set('name', 'n')
      if (fileFirst) form.set('file', new File(['a\n1\n'], 'a.csv', { type: 'text/csv' }))
      form.set('description', 'd'.repeat(70_000))
      if (!fileFirst) form.set('file', new File(['a\n1\n'], 'a.csv', { type: 'text/csv' }))
      expect(await refused('POST', '/api/datasets', { body: form })).toMatchObject({
        status: 422,
        detail: 'The field description is longer than 65536 bytes',
      })
    }
  })

  test('records without a single field are an empty dataset, however they come in', async () => {
    const form = new FormData()
    form.set('name', 'n')
    form.set('file', new File(['{}\n{}\n'], 'a.ndjson'))
    const cases: [string, string, { json?: unknown; body?: BodyInit; type?: string }][] = [
      ['POST', '/api/datasets', { json: { name: 'n', rows: [{}, {}] } }],
      ['PUT', `/api/datasets/${dataset}/data`, { body: '{}\n{}\n', type: 'application/x-ndjson' }],
      ['PUT', `/api/datasets/${dataset}/data`, { body: '[{},{}]', type: 'application/json' }],
      ['POST', '/api/datasets', { body: form }],
    ]
    for (const [method, path, init] of cases)
      expect(await refused(method, path, init)).toMatchObject({
        status: 422,
        code: 'EMPTY_DATASET',
        detail: 'The records have no fields: there is no column to store',
      })
    const csv = await h.app.handle(
      new Request(`http://localhost/api/datasets/${dataset}/data`, {
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      }),
    )
    expect(await csv.text()).toBe('x\r\n1\r\n')
  })

  test('offsets and limits beyond 2^53 − 1 are a 422, not a rounded echo', async () => {
    for (const offset of ['1000000000000000000000000000000', '9007199254740992', '1e300'])
      expect((await refused('GET', `/api/datasets/${dataset}/rows?offset=${offset}`)).errors).toEqual([
        { path: 'query.offset', message: 'must be an integer from 0 to 9007199254740991' },
      ])
    const last = await h.request('GET', `/api/datasets/${dataset}/rows?offset=9007199254740991`)
    expect(last.body).toEqual({ data: [], offset: 9007199254740991, limit: 100, total: 1 })
    for (const list of ['/api/datasets', '/api/tasks', '/api/keys'])
      expect((await refused('GET', `${list}?limit=9007199254740993`)).errors).toEqual([
        { path: 'query.limit', message: 'must be an integer from 1 to 500' },
      ])
  })
})

describe('a data exception from PostgreSQL', () => {
  test('is a 422 problem without internals, and is logged', async () => {
    const warnings: LogFields[] = []
    const log: Logger = {
      enabled: () => true,
      debug() {},
      info() {},
      warn: (msg, fields) => warnings.push({ msg, ...fields }),
      error: (msg, fields) => warnings.push({ msg, ...fields }),
      child: () => log,
    }
    // A value that reaches PostgreSQL unchecked: the mapper is the last line of defence.
    const app = new Elysia()
      .use(errorHandler(log))
      .get('/store', async () => await h.db.$client`select ${'a\u0000b'}::text`)
      .get('/range', async () => await h.db.$client`select ${'+275760-09-13T00:00:00.000Z'}::timestamptz`)
    for (const path of ['/store', '/range']) {
      const res = await app.handle(new Request(`http://localhost${path}`))
      expect(res.status).toBe(422)
      expect(await res.json()).toEqual({
        type: 'https://datadynamo.dev/problems/invalid-value',
        title: 'Unprocessable Content',
        status: 422,
        detail: 'A value in the request cannot be stored or compared',
        code: 'INVALID_VALUE',
      })
    }
    expect(warnings.map(w => [w.msg, w.path, String(w.sqlstate).slice(0, 2)])).toEqual([
      ['value refused by PostgreSQL', '/store', '22'],
      ['value refused by PostgreSQL', '/range', '22'],
    ])
  })
})
