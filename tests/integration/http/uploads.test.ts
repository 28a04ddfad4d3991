import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { once } from 'node:events'
import { connect } from 'node:net'
import { gzipSync } from 'node:zlib'
import {
  allRows,
  countRows,
  dataSnapshot,
  emptyDataset,
  heldBody,
  openTransactions,
  putData,
  streamOf,
} from '../../support/datasets'
import { ADMIN_KEY, bearer, createHarness, type Harness, waitFor } from '../../support/harness'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(30_000)

let h: Harness

beforeAll(async () => {
  h = await createHarness({ CHUNK_ROWS: '3' })
})
afterAll(() => h.close())

/** Runs an upload that must be refused and checks that it changed nothing at all. */
async function expectUnchanged(
  id: string,
  upload: () => Promise<{ status: number; headers: Headers; body: any }>,
  status: number,
) {
  const before = await dataSnapshot(h, id)
  const res = await upload()
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toBe('application/problem+json')
  expect(res.body.status).toBe(status)
  expect(await dataSnapshot(h, id)).toEqual(before)
  return res.body
}

/** A dataset that already holds data, to show that a refused upload leaves it as it was. */
async function datasetWithData(): Promise<string> {
  const id = await emptyDataset(h, 'existing')
  const res = await putData(h, id, 'k,v\n1,a\n2,b\n3,c\n4,d\n', 'text/csv')
  expect(res.status).toBe(200)
  return id
}

describe('PUT /api/datasets/{id}/data with CSV', () => {
  test('reads RFC 4180 edge cases: quotes, embedded newlines, CRLF, BOM, unicode names', async () => {
    const id = await emptyDataset(h)
    const csv =
      '\uFEFF"naïve, name",日本語,"emoji 😀"\r\n' +
      '"say ""hi""","line1\nline2",x\r\n' +
      '"",Ünïcödé,"a,b"\r\n' +
      '\r\n' +
      'plain,"cr\r\nlf",'
    const res = await putData(h, id, csv, 'text/csv; charset=utf-8')
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      status: 'ready',
      row_count: 3,
      columns: [
        { name: 'naïve, name', type: 'string', nullable: true },
        { name: '日本語', type: 'string', nullable: false },
        { name: 'emoji 😀', type: 'string', nullable: true },
      ],
    })
    expect(await allRows(h, id)).toEqual([
      { 'naïve, name': 'say "hi"', 日本語: 'line1\nline2', 'emoji 😀': 'x' },
      { 'naïve, name': null, 日本語: 'Ünïcödé', 'emoji 😀': 'a,b' },
      { 'naïve, name': 'plain', 日本語: 'cr\r\nlf', 'emoji 😀': null },
    ])
  })

  test('widens a column across chunks (integer, then number, then string) and types an all-null column', async () => {
    const id = await emptyDataset(h)
    const csv = 'v,w,empty\n1,1,\n2,2,NA\n3,3,\n4.5,4.5,\n5,5,null\n6,6,\nseven,7,\n'
    const res = await putData(h, id, csv, 'text/csv')
    expect(res.status).toBe(200)
    expect(res.body.columns).toEqual([
      { name: 'v', type: 'string', nullable: false },
      { name: 'w', type: 'number', nullable: false },
      { name: 'empty', type: 'string', nullable: true },
    ])
    const rows = await allRows(h, id)
    expect(rows.map(r => r.v)).toEqual(['1', '2', '3', '4.5', '5', '6', 'seven'])
    expect(rows.map(r => r.w)).toEqual([1, 2, 3, 4.5, 5, 6, 7])
    expect(rows.every(r => r.empty === null)).toBe(true)
    expect(await countRows(h, `dataset_chunks where dataset_id = '${id}'`)).toBe(3)
  })

  test('is read as it arrives, however the body is cut into pieces', async () => {
    const id = await emptyDataset(h)
    const text = 'a,"b\nc"\n1,"x\r\ny"\n2,é\n'
    const bytes = new TextEncoder().encode(text)
    const pieces = Array.from(bytes, b => new Uint8Array([b]))
    const res = await putData(h, id, streamOf(pieces), 'text/csv')
    expect(res.status).toBe(200)
    expect(await allRows(h, id)).toEqual([
      { a: 1, 'b\nc': 'x\r\ny' },
      { a: 2, 'b\nc': 'é' },
    ])
  })

  test('answers 422 EMPTY_DATASET for an empty file and a header without rows', async () => {
    const id = await datasetWithData()
    for (const body of ['', 'a,b\r\n'])
      expect((await expectUnchanged(id, () => putData(h, id, body, 'text/csv'), 422)).code).toBe('EMPTY_DATASET')
  })

  test('answers 422 for a ragged row, naming its line, and for an unterminated quote', async () => {
    const id = await datasetWithData()
    const ragged = await expectUnchanged(id, () => putData(h, id, 'a,b\n1,2\n3,4\n5,6\n7,8,9\n', 'text/csv'), 422)
    expect(ragged.code).toBe('RAGGED_ROW')
    expect(ragged.errors).toEqual([{ path: 'line 5', message: 'expected 2 fields, found 3', line: 5 }])
    const quote = await expectUnchanged(id, () => putData(h, id, 'a,b\n1,2\n3,"open\n4,5\n', 'text/csv'), 422)
    expect(quote.code).toBe('CSV_PARSE_ERROR')
    expect(quote.errors[0].line).toBe(3)
  })

  test('keeps integers beyond 2^53 exactly, as strings', async () => {
    const id = await emptyDataset(h)
    const res = await putData(h, id, 'big\n9007199254740993\n-9007199254740993\n', 'text/csv')
    expect(res.body.columns).toEqual([{ name: 'big', type: 'string', nullable: false }])
    expect(await allRows(h, id)).toEqual([{ big: '9007199254740993' }, { big: '-9007199254740993' }])
  })

  test('answers 404 for an unknown dataset before reading the body', async () => {
    const res = await putData(h, '00000000-0000-4000-8000-000000000000', 'a\n1\n', 'text/csv')
    expect(res.status).toBe(404)
    expect(res.body.code).toBe('NOT_FOUND')
  })
})

describe('PUT /api/datasets/{id}/data with NDJSON and JSON', () => {
  test('NDJSON: one object per line, blank lines skipped, JSON types kept', async () => {
    const id = await emptyDataset(h)
    const body =
      '{"n":1,"s":"x","b":true,"t":"2024-01-05T10:00:00Z"}\n\n{"n":2.5,"s":"NA","b":false}\r\n{"n":null,"s":"","extra":9007199254740993}'
    const res = await putData(h, id, body, 'application/x-ndjson')
    expect(res.status).toBe(200)
    expect(res.body.columns).toEqual([
      { name: 'n', type: 'number', nullable: true },
      { name: 's', type: 'string', nullable: false },
      { name: 'b', type: 'boolean', nullable: true },
      { name: 't', type: 'datetime', nullable: true },
      { name: 'extra', type: 'string', nullable: true },
    ])
    expect(await allRows(h, id)).toEqual([
      { n: 1, s: 'x', b: true, t: '2024-01-05T10:00:00.000Z', extra: null },
      { n: 2.5, s: 'NA', b: false, t: null, extra: null },
      { n: null, s: '', b: null, t: null, extra: '9007199254740993' },
    ])
  })

  test('NDJSON: errors name the line', async () => {
    const id = await datasetWithData()
    const bad = await expectUnchanged(id, () => putData(h, id, '{"a":1}\n\n{"a":2,}\n', 'application/x-ndjson'), 422)
    expect(bad).toMatchObject({ code: 'INVALID_JSON', errors: [{ path: 'line 3', line: 3 }] })
    const notObject = await expectUnchanged(id, () => putData(h, id, '{"a":1}\n[1,2]\n', 'application/x-ndjson'), 422)
    expect(notObject).toMatchObject({ code: 'INVALID_RECORD', errors: [{ path: 'line 2', line: 2 }] })
    const nested = await expectUnchanged(id, () => putData(h, id, '{"a":{"b":1}}\n', 'application/x-ndjson'), 422)
    expect(nested).toMatchObject({ code: 'INVALID_RECORD', errors: [{ path: 'line 1.a', line: 1 }] })
  })

  test('JSON array: streamed element by element, big integers kept exactly', async () => {
    const id = await emptyDataset(h)
    const rows = Array.from({ length: 7 }, (_, i) => ({ i, label: `r "${i}" }`, big: i === 6 ? '§' : null }))
    const text = JSON.stringify(rows).replace('"§"', '12345678901234567890')
    const res = await putData(h, id, streamOf(text.match(/[\s\S]{1,5}/g)!), 'application/json')
    expect(res.status).toBe(200)
    expect(res.body.row_count).toBe(7)
    expect(await allRows(h, id)).toEqual(rows.map(r => ({ ...r, big: r.big === null ? null : '12345678901234567890' })))
  })

  test('inline rows of a JSON create keep big integers exactly as well', async () => {
    const body = '{"name":"inline","rows":[{"id":9007199254740993,"n":1},{"id":2,"n":2}]}'
    const res = await h.request('POST', '/api/datasets', { body, headers: { 'content-type': 'application/json' } })
    expect(res.status).toBe(201)
    expect(res.body.columns).toEqual([
      { name: 'id', type: 'string', nullable: false },
      { name: 'n', type: 'integer', nullable: false },
    ])
    expect(await allRows(h, res.body.id)).toEqual([
      { id: '9007199254740993', n: 1 },
      { id: '2', n: 2 },
    ])
  })

  test('JSON array: errors name the element; not an array, nested values and hostile depth are 422', async () => {
    const id = await datasetWithData()
    const bad = await expectUnchanged(id, () => putData(h, id, '[{"a":1},{"a":2},{"a":}]', 'application/json'), 422)
    expect(bad).toMatchObject({ code: 'INVALID_JSON', errors: [{ path: 'body.2' }] })
    const object = await expectUnchanged(id, () => putData(h, id, '{"a":1}', 'application/json'), 422)
    expect(object.detail).toBe('body: expected a JSON array of objects')
    const scalars = await expectUnchanged(id, () => putData(h, id, '[1,2]', 'application/json'), 422)
    expect(scalars.errors).toEqual([{ path: 'body.0', message: 'expected an object' }])
    const deep = `[{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}]`
    const nested = await expectUnchanged(id, () => putData(h, id, deep, 'application/json'), 422)
    expect(nested.errors[0].path).toBe('body.0')
    expect((await expectUnchanged(id, () => putData(h, id, '[]', 'application/json'), 422)).code).toBe('EMPTY_DATASET')
    expect((await expectUnchanged(id, () => putData(h, id, '[{"a":1}', 'application/json'), 422)).code).toBe(
      'INVALID_JSON',
    )
  })
})

describe('encodings and media types', () => {
  test('a gzip body is inflated as it is read', async () => {
    const id = await emptyDataset(h)
    const res = await putData(h, id, gzipSync('a,b\n1,x\n2,y\n'), 'text/csv', { 'content-encoding': 'gzip' })
    expect(res.status).toBe(200)
    expect(await allRows(h, id)).toEqual([
      { a: 1, b: 'x' },
      { a: 2, b: 'y' },
    ])
  })

  test('a body that is not the gzip it claims is a 400, an unknown encoding a 415', async () => {
    const id = await datasetWithData()
    const bad = await expectUnchanged(
      id,
      () => putData(h, id, 'a,b\n1,2\n', 'text/csv', { 'content-encoding': 'gzip' }),
      400,
    )
    expect(bad.code).toBe('MALFORMED_BODY')
    const br = await expectUnchanged(id, () => putData(h, id, 'a\n1\n', 'text/csv', { 'content-encoding': 'br' }), 415)
    expect(br.code).toBe('UNSUPPORTED_MEDIA_TYPE')
  })

  test('unsupported media types, charsets and binary files are 415; bytes that are not UTF-8 are 422', async () => {
    const id = await datasetWithData()
    for (const type of ['text/plain', 'application/octet-stream', 'text/csv; charset=latin1'])
      expect((await expectUnchanged(id, () => putData(h, id, 'a\n1\n', type), 415)).code).toBe('UNSUPPORTED_MEDIA_TYPE')
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52])
    const image = await expectUnchanged(id, () => putData(h, id, png, 'text/csv'), 415)
    expect(image.detail).toBe('The body is a PNG image, not text/csv text')
    const latin1 = new Uint8Array([...new TextEncoder().encode('name\ncaf'), 0xe9, 0x0a])
    const encoding = await expectUnchanged(id, () => putData(h, id, latin1, 'text/csv'), 422)
    expect(encoding).toMatchObject({ code: 'INVALID_ENCODING', errors: [{ path: 'byte 8' }] })
  })
})

describe('limits', () => {
  let small: Harness
  beforeAll(async () => {
    small = await createHarness({
      MAX_BODY_BYTES: '2048',
      MAX_COLUMNS: '3',
      MAX_CELL_BYTES: '16',
      MAX_ROWS: '5',
      CHUNK_ROWS: '2',
    })
  })
  afterAll(() => small.close())

  const refused = async (body: BodyInit, type: string, status: number, headers: Record<string, string> = {}) => {
    const id = await emptyDataset(small)
    const before = await dataSnapshot(small, id)
    const res = await putData(small, id, body, type, headers)
    expect(res.status).toBe(status)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    expect(await dataSnapshot(small, id)).toEqual(before)
    return res.body
  }

  test('413 for a body over MAX_BODY_BYTES, declared or streamed without a length', async () => {
    // Blank lines are skipped, so only the byte count can refuse this body.
    const csv = `a\n1\n${'\n'.repeat(3000)}`
    expect((await refused(csv, 'text/csv', 413)).code).toBe('PAYLOAD_TOO_LARGE')
    const chunked = await refused(streamOf(csv.match(/[\s\S]{1,100}/g)!), 'text/csv', 413)
    expect(chunked.detail).toBe('The request body is larger than the limit of 2048 bytes')
  })

  test('on a real connection too, an oversized body is a 413 problem, declared or chunked', async () => {
    const id = await emptyDataset(small)
    small.app.listen({ port: 0, hostname: '127.0.0.1' })
    try {
      const url = `http://127.0.0.1:${small.app.server!.port}/api/datasets/${id}/data`
      const body = `a\n1\n${'\n'.repeat(3000)}`
      const declared = await fetch(url, { method: 'PUT', body, headers: { ...bearer(), 'content-type': 'text/csv' } })
      expect(declared.status).toBe(413)
      expect(declared.headers.get('content-type')).toBe('application/problem+json')
      expect((await declared.json()).code).toBe('PAYLOAD_TOO_LARGE')
      const chunked = await fetch(url, {
        method: 'PUT',
        body: streamOf(body.match(/[\s\S]{1,500}/g)!),
        headers: { ...bearer(), 'content-type': 'text/csv' },
      })
      expect(chunked.status).toBe(413)
      expect((await chunked.json()).code).toBe('PAYLOAD_TOO_LARGE')
    } finally {
      await small.app.stop(true)
    }
    expect((await small.request('GET', `/api/datasets/${id}`)).body.status).toBe('empty')
  })

  test('413 for a gzip body that inflates past MAX_BODY_BYTES', async () => {
    const bomb = gzipSync(`a\n${'1\n'.repeat(50_000)}`)
    expect(bomb.byteLength).toBeLessThan(2048)
    const body = await refused(bomb, 'text/csv', 413, { 'content-encoding': 'gzip' })
    expect(body.detail).toBe('The decompressed body is larger than the limit of 2048 bytes')
  })

  test('422 naming the limit for too many columns, a long cell and too many rows', async () => {
    const columns = await refused('a,b,c,d\n1,2,3,4\n', 'text/csv', 422)
    expect(columns).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      detail: 'line 1, column 4: the header has more than 3 columns; the limit is 3',
    })
    const cell = await refused(`a,b\n1,2\n3,${'x'.repeat(17)}\n`, 'text/csv', 422)
    expect(cell).toMatchObject({ code: 'LIMIT_EXCEEDED', errors: [{ line: 3, column: 2 }] })
    expect(cell.detail).toContain('the limit is 16')
    const rows = await refused('a\n1\n2\n3\n4\n5\n6\n', 'text/csv', 422)
    expect(rows).toMatchObject({ code: 'LIMIT_EXCEEDED', detail: 'line 7: more than 5 rows, the limit' })
    const ndjsonColumns = await refused('{"a":1,"b":2,"c":3,"d":4}\n', 'application/x-ndjson', 422)
    expect(ndjsonColumns).toMatchObject({ code: 'LIMIT_EXCEEDED', errors: [{ line: 1 }] })
  })
})

describe('atomic replace', () => {
  test('a malformed upload after many stored chunks leaves the previous data exactly as it was', async () => {
    const id = await datasetWithData()
    const body = `k,v\n${Array.from({ length: 60 }, (_, i) => `${i},x${i}`).join('\n')}\n61,"unterminated\n`
    const res = await expectUnchanged(id, () => putData(h, id, body, 'text/csv'), 422)
    expect(res.errors[0].line).toBe(62)
  })

  test('an upload whose body breaks off half-way changes nothing', async () => {
    const id = await datasetWithData()
    const rows = Array.from({ length: 40 }, (_, i) => `${i},r${i}\n`)
    const res = await expectUnchanged(
      id,
      () => putData(h, id, streamOf(['k,v\n', ...rows], new Error('client went away')), 'text/csv'),
      400,
    )
    expect(res.code).toBe('BODY_INCOMPLETE')
  })

  test('a client that disconnects mid-body on a real connection changes nothing and leaves no transaction open', async () => {
    const id = await datasetWithData()
    const before = await dataSnapshot(h, id)
    const server = Bun.serve({ port: 0, fetch: request => h.app.handle(request) })
    try {
      const socket = connect(server.port!, '127.0.0.1')
      await once(socket, 'connect')
      socket.write(
        `PUT /api/datasets/${id}/data HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${ADMIN_KEY}\r\nContent-Type: text/csv\r\nContent-Length: 1000000\r\n\r\n`,
      )
      socket.write(`k,v\n${Array.from({ length: 300 }, (_, i) => `${i},r${i}\n`).join('')}`)
      await waitFor(async () => (await openTransactions(h)) > 0, 10_000, 'the upload to begin')
      socket.destroy()
      await waitFor(async () => (await openTransactions(h)) === 0, 10_000, 'the upload transaction to end')
      expect(await dataSnapshot(h, id)).toEqual(before)
      const again = await fetch(`http://127.0.0.1:${server.port}/api/datasets/${id}/data`, {
        method: 'PUT',
        body: 'k\n1\n',
        headers: { ...bearer(), 'content-type': 'text/csv' },
      })
      expect(again.status).toBe(200)
      expect((await again.json()).row_count).toBe(1)
    } finally {
      server.stop(true)
    }
  })
})

describe('POST /api/datasets as multipart/form-data', () => {
  const form = (entries: [string, string | File][]) => {
    const data = new FormData()
    for (const [name, value] of entries) data.append(name, value)
    return data
  }
  const csvFile = (text = 'a,b\n1,x\n2,y\n', name = 'data.csv', type = 'text/csv') => new File([text], name, { type })

  test('creates a dataset from name, description and a CSV file', async () => {
    const res = await h.request('POST', '/api/datasets', {
      body: form([
        ['name', 'uploaded'],
        ['description', 'from a form'],
        ['file', csvFile()],
      ]),
    })
    expect(res.status).toBe(201)
    expect(res.headers.get('location')).toBe(`/api/datasets/${res.body.id}`)
    expect(res.body).toMatchObject({ name: 'uploaded', description: 'from a form', status: 'ready', row_count: 2 })
    expect(await allRows(h, res.body.id)).toEqual([
      { a: 1, b: 'x' },
      { a: 2, b: 'y' },
    ])
  })

  test('takes fields sent after the file, and NDJSON, JSON and gzip files by their names', async () => {
    const cases: [File, number][] = [
      [new File(['{"a":1}\n{"a":2}\n'], 'd.ndjson', { type: 'application/octet-stream' }), 2],
      [new File(['[{"a":1}]'], 'd.json', { type: '' }), 1],
      [new File([gzipSync('a\n1\n2\n3\n')], 'd.csv.gz', { type: 'application/gzip' }), 3],
    ]
    for (const [file, rowCount] of cases) {
      const res = await h.request('POST', '/api/datasets', {
        body: form([
          ['file', file],
          ['name', `late ${file.name}`],
        ]),
      })
      expect(res.status).toBe(201)
      expect(res.body).toMatchObject({ name: `late ${file.name}`, description: '', row_count: rowCount })
    }
  })

  test('refuses bad forms and writes nothing', async () => {
    const tables = ['datasets', 'dataset_versions', 'dataset_chunks']
    const counts = () => Promise.all(tables.map(table => countRows(h, table)))
    const before = await counts()
    const cases: [FormData, number, string][] = [
      [form([['file', csvFile()]]), 422, 'body.name'],
      [
        form([
          ['name', '  '],
          ['file', csvFile()],
        ]),
        422,
        'body.name',
      ],
      [
        form([
          ['name', 'x'],
          ['file', csvFile()],
          ['name', 'y'],
        ]),
        422,
        'body.name',
      ],
      [
        form([
          ['name', 'x'],
          ['owner', 'me'],
          ['file', csvFile()],
        ]),
        422,
        'body.owner',
      ],
      [form([['name', 'x']]), 422, 'body.file'],
      [
        form([
          ['name', 'x'],
          ['data', csvFile()],
        ]),
        422,
        'body.data',
      ],
      [
        form([
          ['name', 'x'],
          ['file', csvFile('a,b\n1\n')],
        ]),
        422,
        'line 2',
      ],
    ]
    for (const [body, status, path] of cases) {
      const res = await h.request('POST', '/api/datasets', { body })
      expect(res.status).toBe(status)
      expect(res.headers.get('content-type')).toBe('application/problem+json')
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path)
    }
    const image = await h.request('POST', '/api/datasets', {
      body: form([
        ['name', 'x'],
        ['file', new File([new Uint8Array([0x50, 0x4b, 3, 4, 0, 0])], 'book.xlsx')],
      ]),
    })
    expect(image.status).toBe(415)
    expect(await counts()).toEqual(before)
  })

  test('a multipart upload that breaks off or grows past the limit writes nothing', async () => {
    const tables = ['datasets', 'dataset_versions', 'dataset_chunks']
    const counts = () => Promise.all(tables.map(table => countRows(h, table)))
    const before = await counts()
    const boundary = 'xYzBoundary'
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\ncut\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="d.csv"\r\nContent-Type: text/csv\r\n\r\nk,v\n`
    const rows = Array.from({ length: 200 }, (_, i) => `${i},r${i}\n`)
    const headers = { 'content-type': `multipart/form-data; boundary=${boundary}` }
    const broken = await h.request('POST', '/api/datasets', {
      body: streamOf([head, ...rows], new Error('client went away')),
      headers,
    })
    expect(broken.status).toBe(400)
    expect(broken.body.code).toBe('BODY_INCOMPLETE')
    const small = await createHarness({ MAX_BODY_BYTES: '1024' })
    try {
      const smallBefore = await countRows(small, 'datasets')
      const large = await small.request('POST', '/api/datasets', {
        body: streamOf([head, ...rows, `\r\n--${boundary}--\r\n`]),
        headers,
      })
      expect(large.status).toBe(413)
      expect(large.body.code).toBe('PAYLOAD_TOO_LARGE')
      expect(await countRows(small, 'datasets')).toBe(smallBefore)
    } finally {
      await small.close()
    }
    expect(await counts()).toEqual(before)
  })

  test('a multipart body without a boundary is a 400', async () => {
    const res = await h.request('POST', '/api/datasets', {
      body: 'x',
      headers: { 'content-type': 'multipart/form-data' },
    })
    expect(res.status).toBe(400)
    expect(res.body.code).toBe('MALFORMED_BODY')
  })
})

describe('concurrent uploads', () => {
  let one: Harness
  beforeAll(async () => {
    one = await createHarness({ MAX_CONCURRENT_UPLOADS: '1', CHUNK_ROWS: '2' })
  })
  afterAll(() => one.close())

  test('past MAX_CONCURRENT_UPLOADS, every way of sending data is refused 429 before its body is read', async () => {
    const held = await emptyDataset(one, 'held')
    const other = await emptyDataset(one, 'other')
    const upload = heldBody()
    const first = putData(one, held, upload.body, 'text/csv')
    await upload.reading

    const before = await dataSnapshot(one, other)
    const datasetsBefore = await countRows(one, 'datasets')
    const unread = heldBody()
    let read = false
    void unread.reading.then(() => {
      read = true
    })
    const refusals = [
      await putData(one, other, unread.body, 'text/csv'),
      await one.request('POST', '/api/datasets', { json: { name: 'inline', rows: [{ a: 1 }] } }),
      await one.request('POST', '/api/datasets', {
        body: (() => {
          const form = new FormData()
          form.append('name', 'form')
          form.append('file', new File(['a\n1\n'], 'd.csv', { type: 'text/csv' }))
          return form
        })(),
      }),
    ]
    for (const res of refusals) {
      expect(res.status).toBe(429)
      expect(res.headers.get('content-type')).toBe('application/problem+json')
      expect(res.headers.get('retry-after')).toBe('1')
      expect(res.body).toMatchObject({
        status: 429,
        code: 'TOO_MANY_UPLOADS',
        detail: 'This server already stores as many uploads at once as it takes (1); try again shortly',
      })
    }
    expect(read).toBe(false)
    expect(await dataSnapshot(one, other)).toEqual(before)
    expect(await countRows(one, 'datasets')).toBe(datasetsBefore)
    // A dataset without data takes no slot.
    expect((await one.request('POST', '/api/datasets', { json: { name: 'metadata only' } })).status).toBe(201)

    upload.finish()
    const done = await first
    expect(done.status).toBe(200)
    expect(done.body.row_count).toBe(3)
    // The slot is free again, also after a refused or failed write.
    expect((await putData(one, other, 'a,b\n1,x\n2', 'text/csv')).status).toBe(422)
    const retried = await putData(one, other, 'a\n1\n', 'text/csv')
    expect(retried.status).toBe(200)
    expect(retried.body.row_count).toBe(1)
  })
})
