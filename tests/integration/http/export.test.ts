import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { allRows, emptyDataset, putData } from '../../support/datasets'
import { createHarness, type Harness } from '../../support/harness'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(30_000)

let h: Harness

beforeAll(async () => {
  h = await createHarness({ CHUNK_ROWS: '4' })
})
afterAll(() => h.close())

const download = (id: string, query = '', headers: Record<string, string> = {}) =>
  h.request('GET', `/api/datasets/${id}/data${query}`, { headers })

async function upload(body: string, type: string, name = 'd'): Promise<{ id: string; dataset: any }> {
  const id = await emptyDataset(h, name)
  const res = await putData(h, id, body, type)
  expect(res.status).toBe(200)
  return { id, dataset: res.body }
}

describe('GET /api/datasets/{id}/data', () => {
  test('writes CSV: header, RFC 4180 quoting, nulls as empty cells, ISO datetimes, CRLF line ends', async () => {
    const ndjson = [
      { i: 1, x: 1.5, ok: true, at: '2024-01-05T10:00:00Z', s: 'plain' },
      { i: 2, x: null, ok: false, at: null, s: 'a, "b"\nc' },
      { i: null, x: -0.25, ok: null, at: '2024-02-29', s: null },
    ]
      .map(r => JSON.stringify(r))
      .join('\n')
    const { id } = await upload(ndjson, 'application/x-ndjson', 'Sales 2024/Q1 "é"')
    const res = await download(id)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="Sales 2024_Q1 _.csv"; filename*=UTF-8''${encodeURIComponent('Sales 2024/Q1 "é".csv')}`,
    )
    expect(res.text).toBe(
      'i,x,ok,at,s\r\n' +
        '1,1.5,true,2024-01-05T10:00:00.000Z,plain\r\n' +
        '2,,false,,"a, ""b""\nc"\r\n' +
        ',-0.25,,2024-02-29T00:00:00.000Z,\r\n',
    )
  })

  test('writes NDJSON by ?format= or by Accept, one object per line', async () => {
    const { id } = await upload('a,b\n1,x\n,y\n', 'text/csv')
    const expected = '{"a":1,"b":"x"}\n{"a":null,"b":"y"}\n'
    const byQuery = await download(id, '?format=ndjson')
    expect(byQuery.headers.get('content-type')).toBe('application/x-ndjson')
    expect(byQuery.text).toBe(expected)
    expect((await download(id, '', { accept: 'application/x-ndjson' })).text).toBe(expected)
    expect((await download(id, '', { accept: 'text/csv;q=0.5, application/x-ndjson' })).text).toBe(expected)
    expect((await download(id, '', { accept: 'text/csv, application/x-ndjson;q=0.9' })).text).toBe(
      'a,b\r\n1,x\r\n,y\r\n',
    )
    expect((await download(id, '?format=csv', { accept: 'application/x-ndjson' })).text).toBe('a,b\r\n1,x\r\n,y\r\n')
    expect((await download(id, '', { accept: '*/*' })).text).toBe('a,b\r\n1,x\r\n,y\r\n')
  })

  test('answers 422 for an unknown format, 404 for an unknown dataset, 409 for one without data', async () => {
    const { id } = await upload('a\n1\n', 'text/csv')
    const bad = await download(id, '?format=xml')
    expect(bad.status).toBe(422)
    expect(bad.headers.get('content-type')).toBe('application/problem+json')
    expect(bad.body.errors).toEqual([{ path: 'query.format', message: 'must be one of: csv, ndjson' }])
    const missing = await download('00000000-0000-4000-8000-000000000000')
    expect(missing.status).toBe(404)
    const empty = await download(await emptyDataset(h))
    expect(empty.status).toBe(409)
    expect(empty.body.code).toBe('DATASET_EMPTY')
  })

  test('neutralises formula cells in CSV only, and the uploader reads them back unchanged', async () => {
    const values = ['=SUM(A1:A9)', '+1', '-x', '@cmd', '\tTAB', '\rCR', "'=quoted", '-5', 'safe', "it's"]
    const rows = values.map((s, i) => ({ n: i, s }))
    const { id } = await upload(JSON.stringify(rows), 'application/json')
    const csv = await download(id)
    expect(csv.text).toBe(
      'n,s\r\n' +
        "0,'=SUM(A1:A9)\r\n1,'+1\r\n2,'-x\r\n3,'@cmd\r\n4,'\tTAB\r\n5,\"'\rCR\"\r\n6,''=quoted\r\n7,-5\r\n8,safe\r\n9,it's\r\n",
    )
    expect((await download(id, '?format=ndjson')).text).toBe(rows.map(r => `${JSON.stringify(r)}\n`).join(''))
    expect(await allRows(h, id)).toEqual(rows)
    const again = await upload(csv.text, 'text/csv')
    expect(await allRows(h, again.id)).toEqual(rows)
  })

  test('streams every chunk in order', async () => {
    const lines = Array.from({ length: 50 }, (_, i) => `${i},${i % 3 === 0 ? '' : `v${i}`}`)
    const { id } = await upload(`i,v\n${lines.join('\n')}\n`, 'text/csv')
    const res = await download(id)
    expect(res.text).toBe(`i,v\r\n${lines.map(l => `${l}\r\n`).join('')}`)
  })
})

describe('round trips', () => {
  test('CSV: upload, export, upload again gives the same rows and columns', async () => {
    const csv = [
      'id,price,flag,when,label,big,mixed,"odd ""name"", here",empty',
      '1,9.5,true,2024-01-05,"a ""quoted"", value",9007199254740993,1,=1+1,',
      '2,1e21,FALSE,2024-01-06T10:30:00+02:00,"multi\r\nline",1,x,+cmd,NA',
      '3,-0,,,,,2.5,@home,',
      '4,0.1,true,2024-03-01T00:00:00.123Z,ünïcödé 😀,42,,-,',
      '5,1.7976931348623157e308,false,2024-03-02,NA,-7,-3,,',
    ].join('\r\n')
    const first = await upload(csv, 'text/csv')
    const exported = (await download(first.id)).text
    const second = await upload(exported, 'text/csv')
    expect(second.dataset.columns).toEqual(first.dataset.columns)
    expect(second.dataset.row_count).toBe(5)
    expect(await allRows(h, second.id)).toEqual(await allRows(h, first.id))
    expect((await download(second.id)).text).toBe(exported)
  })

  test('NDJSON: upload, export, upload again gives the same rows and columns', async () => {
    const records = [
      { a: 1, b: 'NA', c: '', d: true, e: '2024-01-05T00:00:00.000Z', f: 0.1 },
      { a: 2, b: '123', c: null, d: null, e: null, f: 1e-7, g: 'late column' },
      { a: 'BIG', b: '=x', c: 'tab\there', d: false, e: '1999-12-31', f: -2.5e300 },
      { a: null, b: 'line\nbreak "q"', c: '\u0000ctl', d: true, e: '2024-06-01T12:00:00Z', f: null },
      { a: 5, b: 'é', c: 'x', d: false, e: null, f: 3 },
    ]
    // An integer beyond 2^53, written as JSON text (a JS number literal would already be rounded).
    const body = records
      .map(r => JSON.stringify(r))
      .join('\n')
      .replace('"BIG"', '9007199254740993')
    const first = await upload(body, 'application/x-ndjson')
    const exported = (await download(first.id, '?format=ndjson')).text
    const second = await upload(exported, 'application/x-ndjson')
    expect(second.dataset.columns).toEqual(first.dataset.columns)
    expect(await allRows(h, second.id)).toEqual(await allRows(h, first.id))
    expect((await download(second.id, '?format=ndjson')).text).toBe(exported)
  })
})
