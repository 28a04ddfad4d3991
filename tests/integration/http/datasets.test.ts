import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { sql } from 'drizzle-orm'
import { createHarness, type Harness } from '../../support/harness'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(30_000)

let h: Harness

beforeAll(async () => {
  h = await createHarness()
})
afterAll(() => h.close())

const count = async (table: string) => {
  const [row] = await h.db.execute<{ n: number }>(sql.raw(`select count(*)::int as n from ${table}`))
  return row!.n
}

/** Runs a request that must be refused, and checks that it wrote nothing. */
async function expectRefused(method: string, path: string, options: Parameters<Harness['request']>[2], status: number) {
  const before = await Promise.all(['datasets', 'dataset_versions', 'dataset_chunks'].map(count))
  const res = await h.request(method, path, options)
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toBe('application/problem+json')
  expect(res.body.status).toBe(status)
  expect(typeof res.body.detail).toBe('string')
  expect(await Promise.all(['datasets', 'dataset_versions', 'dataset_chunks'].map(count))).toEqual(before)
  return res.body
}

describe('POST /api/datasets', () => {
  test('creates a dataset with metadata only', async () => {
    const res = await h.request('POST', '/api/datasets', { json: { name: 'sales', description: 'Q1' } })
    expect(res.status).toBe(201)
    expect(res.headers.get('location')).toBe(`/api/datasets/${res.body.id}`)
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'sales',
      description: 'Q1',
      status: 'empty',
      row_count: 0,
      columns: [],
      size_bytes: 0,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    })
  })

  test('description defaults to an empty string', async () => {
    const res = await h.request('POST', '/api/datasets/', { json: { name: 'plain' } })
    expect(res.status).toBe(201)
    expect(res.body.description).toBe('')
  })

  test('stores inline rows typed and columnar', async () => {
    const rows = [
      { id: 1, price: 9.5, ok: true, when: '2024-01-05', label: 'a' },
      { id: 2, price: 10, ok: false, when: '2024-01-06T10:30:00Z', label: null },
      { id: 3, price: null, ok: null, when: null, label: 'c' },
    ]
    const res = await h.request('POST', '/api/datasets', { json: { name: 'typed', rows } })
    expect(res.status).toBe(201)
    expect(res.body.status).toBe('ready')
    expect(res.body.row_count).toBe(3)
    expect(res.body.size_bytes).toBeGreaterThan(0)
    expect(res.body.columns).toEqual([
      { name: 'id', type: 'integer', nullable: false },
      { name: 'price', type: 'number', nullable: true },
      { name: 'ok', type: 'boolean', nullable: true },
      { name: 'when', type: 'datetime', nullable: true },
      { name: 'label', type: 'string', nullable: true },
    ])
    const page = await h.request('GET', `/api/datasets/${res.body.id}/rows`)
    expect(page.status).toBe(200)
    expect(page.body).toEqual({
      data: [
        { id: 1, price: 9.5, ok: true, when: '2024-01-05T00:00:00.000Z', label: 'a' },
        { id: 2, price: 10, ok: false, when: '2024-01-06T10:30:00.000Z', label: null },
        { id: 3, price: null, ok: null, when: null, label: 'c' },
      ],
      offset: 0,
      limit: 100,
      total: 3,
    })
  })

  test('rows with different keys make a column per key, missing cells null', async () => {
    const res = await h.request('POST', '/api/datasets', { json: { name: 'sparse', rows: [{ a: 1 }, { b: 'x' }] } })
    expect(res.status).toBe(201)
    expect(res.body.columns).toEqual([
      { name: 'a', type: 'integer', nullable: true },
      { name: 'b', type: 'string', nullable: true },
    ])
  })

  test('stores inline CSV and infers the types of DESIGN.md', async () => {
    const csv = [
      '\uFEFFint,num,whole_float,flag,binary,date,big,zip,"quoted, name",empty',
      '1,1.5,101.0,TRUE,0,2024-02-29,9007199254740993,007,"a ""b""",',
      '-2,2e3,3,false,1,2024-03-01T12:00:00+02:00,1,0123,"multi\nline",NA',
      ',NaN,null,,,,,,,null',
    ].join('\r\n')
    const res = await h.request('POST', '/api/datasets', { json: { name: 'csv', csv } })
    expect(res.status).toBe(201)
    expect(res.body.row_count).toBe(3)
    expect(res.body.columns).toEqual([
      { name: 'int', type: 'integer', nullable: true },
      { name: 'num', type: 'number', nullable: true },
      { name: 'whole_float', type: 'number', nullable: true },
      { name: 'flag', type: 'boolean', nullable: true },
      { name: 'binary', type: 'integer', nullable: true },
      { name: 'date', type: 'datetime', nullable: true },
      { name: 'big', type: 'string', nullable: true },
      { name: 'zip', type: 'string', nullable: true },
      { name: 'quoted, name', type: 'string', nullable: true },
      { name: 'empty', type: 'string', nullable: true },
    ])
    const page = await h.request('GET', `/api/datasets/${res.body.id}/rows?limit=2`)
    expect(page.body.data).toEqual([
      {
        int: 1,
        num: 1.5,
        whole_float: 101,
        flag: true,
        binary: 0,
        date: '2024-02-29T00:00:00.000Z',
        big: '9007199254740993',
        zip: '007',
        'quoted, name': 'a "b"',
        empty: null,
      },
      {
        int: -2,
        num: 2000,
        whole_float: 3,
        flag: false,
        binary: 1,
        date: '2024-03-01T10:00:00.000Z',
        big: '1',
        zip: '0123',
        'quoted, name': 'multi\nline',
        empty: null,
      },
    ])
  })

  test('refuses rows and csv together', async () => {
    const body = await expectRefused(
      'POST',
      '/api/datasets',
      { json: { name: 'x', rows: [{ a: 1 }], csv: 'a\n1' } },
      422,
    )
    expect(body.errors).toEqual([{ path: 'body.csv', message: 'not allowed together with rows' }])
  })

  test.each([
    [{}, 'body.name'],
    [{ name: '' }, 'body.name'],
    [{ name: '   ' }, 'body.name'],
    [{ name: 'x'.repeat(201) }, 'body.name'],
    [{ name: 42 }, 'body.name'],
    [{ name: 'ok', description: 7 }, 'body.description'],
    [{ name: 'ok', owner: 'me' }, 'body.owner'],
    [{ name: 'ok', status: 'ready' }, 'body.status'],
    [{ name: 'ok', rows: [{ a: { nested: 1 } }] }, 'body.rows.0.a'],
    [{ name: 'ok', rows: 'nope' }, 'body.rows'],
  ])('answers 422 with the field path for %j', async (json, path) => {
    const body = await expectRefused('POST', '/api/datasets', { json }, 422)
    expect(body.code).toBe('VALIDATION_FAILED')
    expect(body.errors.map((e: { path: string }) => e.path)).toContain(path)
  })

  test('answers 422 for duplicate and blank column names', async () => {
    const dup = await expectRefused('POST', '/api/datasets', { json: { name: 'x', csv: 'a,b,a\n1,2,3' } }, 422)
    expect(dup.code).toBe('INVALID_COLUMNS')
    expect(dup.errors).toEqual([{ path: 'columns[2]', message: 'duplicate column name "a"' }])
    const blank = await expectRefused('POST', '/api/datasets', { json: { name: 'x', csv: 'a, \n1,2' } }, 422)
    expect(blank.errors).toEqual([{ path: 'columns[1]', message: 'column name is empty' }])
    const caseDiffers = await h.request('POST', '/api/datasets', { json: { name: 'x', csv: 'A,a\n1,2' } })
    expect(caseDiffers.status).toBe(201)
  })

  test('answers 422 for a ragged CSV row, naming its line', async () => {
    const body = await expectRefused(
      'POST',
      '/api/datasets',
      { json: { name: 'x', csv: 'a,b\n1,2\n"x\ny",2\n3\n' } },
      422,
    )
    expect(body.code).toBe('RAGGED_ROW')
    expect(body.errors).toEqual([{ path: 'line 5', message: 'expected 2 fields, found 1', line: 5 }])
  })

  test('answers 422 for empty data', async () => {
    expect((await expectRefused('POST', '/api/datasets', { json: { name: 'x', rows: [] } }, 422)).code).toBe(
      'EMPTY_DATASET',
    )
    expect((await expectRefused('POST', '/api/datasets', { json: { name: 'x', csv: '' } }, 422)).code).toBe(
      'EMPTY_DATASET',
    )
    expect((await expectRefused('POST', '/api/datasets', { json: { name: 'x', csv: 'a,b\n' } }, 422)).code).toBe(
      'EMPTY_DATASET',
    )
  })

  test('answers 400 for malformed JSON and 415 for other media types', async () => {
    const bad = await expectRefused(
      'POST',
      '/api/datasets',
      { body: '{"name":', headers: { 'content-type': 'application/json' } },
      400,
    )
    expect(bad.code).toBe('MALFORMED_BODY')
    const text = await expectRefused(
      'POST',
      '/api/datasets',
      { body: 'name=x', headers: { 'content-type': 'text/plain' } },
      415,
    )
    expect(text.code).toBe('UNSUPPORTED_MEDIA_TYPE')
  })
})

describe('GET /api/datasets', () => {
  test('pages newest first with an opaque cursor and no duplicates', async () => {
    const local = await createHarness()
    try {
      const ids: string[] = []
      for (let i = 0; i < 5; i++)
        ids.push((await local.request('POST', '/api/datasets', { json: { name: `d${i}` } })).body.id)
      const seen: string[] = []
      let cursor: string | null = null
      let pages = 0
      do {
        const res: { status: number; body: { data: { id: string }[]; next_cursor: string | null } } =
          await local.request('GET', `/api/datasets?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        expect(res.status).toBe(200)
        seen.push(...res.body.data.map(d => d.id))
        cursor = res.body.next_cursor
        pages++
      } while (cursor)
      expect(pages).toBe(3)
      expect(seen).toEqual(ids.reverse())
    } finally {
      await local.close()
    }
  })

  test('filters by a case-insensitive substring with % and _ taken literally', async () => {
    for (const name of ['Alpha 100%', 'alpha_x', 'beta', 'ALPHAx'])
      await h.request('POST', '/api/datasets', { json: { name } })
    const names = async (q: string) =>
      (await h.request('GET', `/api/datasets?q=${encodeURIComponent(q)}&limit=500`)).body.data
        .map((d: { name: string }) => d.name)
        .sort()
    expect(await names('alpha')).toEqual(['ALPHAx', 'Alpha 100%', 'alpha_x'])
    expect(await names('%')).toEqual(['Alpha 100%'])
    expect(await names('a_')).toEqual(['alpha_x'])
  })

  test.each(['limit=0', 'limit=501', 'limit=abc', 'cursor=not-a-cursor'])('answers 422 for %s', async query => {
    const res = await h.request('GET', `/api/datasets?${query}`)
    expect(res.status).toBe(422)
    expect(res.body.errors[0].path).toBe(`query.${query.split('=')[0]}`)
  })
})

describe('one dataset', () => {
  test('GET answers 404 problems for unknown and malformed ids', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', "1' or '1'='1"]) {
      const res = await h.request('GET', `/api/datasets/${encodeURIComponent(id)}`)
      expect(res.status).toBe(404)
      expect(res.headers.get('content-type')).toBe('application/problem+json')
      expect(res.body).toMatchObject({ status: 404, code: 'NOT_FOUND', title: 'Not Found' })
    }
  })

  test('PUT replaces name and description, PATCH changes only what it is given', async () => {
    const { id } = (await h.request('POST', '/api/datasets', { json: { name: 'old', description: 'keep?' } })).body
    const put = await h.request('PUT', `/api/datasets/${id}`, { json: { name: 'new' } })
    expect(put.status).toBe(200)
    expect(put.body).toMatchObject({ id, name: 'new', description: '' })
    const patch = await h.request('PATCH', `/api/datasets/${id}`, { json: { description: 'd' } })
    expect(patch.body).toMatchObject({ id, name: 'new', description: 'd' })
    expect(Date.parse(patch.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(put.body.updated_at))
    await expectRefused('PATCH', `/api/datasets/${id}`, { json: { row_count: 5 } }, 422)
    await expectRefused('PUT', `/api/datasets/${id}`, { json: { description: 'no name' } }, 422)
    expect((await h.request('GET', `/api/datasets/${id}`)).body).toMatchObject({
      name: 'new',
      description: 'd',
      row_count: 0,
    })
    expect(
      (await h.request('PATCH', '/api/datasets/00000000-0000-4000-8000-000000000000', { json: { name: 'x' } })).status,
    ).toBe(404)
  })

  test('DELETE removes the dataset with its data versions and chunks', async () => {
    const { id } = (await h.request('POST', '/api/datasets', { json: { name: 'gone', rows: [{ a: 1 }, { a: 2 }] } }))
      .body
    const chunks = await count('dataset_chunks')
    expect((await h.request('DELETE', `/api/datasets/${id}`)).status).toBe(204)
    expect((await h.request('GET', `/api/datasets/${id}`)).status).toBe(404)
    expect((await h.request('DELETE', `/api/datasets/${id}`)).status).toBe(404)
    expect(await count('dataset_chunks')).toBe(chunks - 1)
  })
})

describe('GET /api/datasets/{id}/rows', () => {
  test('pages across chunks by offset and answers past the end with the total', async () => {
    const local = await createHarness({ CHUNK_ROWS: '7' })
    try {
      const rows = Array.from({ length: 30 }, (_, i) => ({ i, sq: i * i }))
      const { id } = (await local.request('POST', '/api/datasets', { json: { name: 'n', rows } })).body
      const page = await local.request('GET', `/api/datasets/${id}/rows?offset=5&limit=10`)
      expect(page.body).toEqual({ data: rows.slice(5, 15), offset: 5, limit: 10, total: 30 })
      const past = await local.request('GET', `/api/datasets/${id}/rows?offset=100`)
      expect(past.body).toEqual({ data: [], offset: 100, limit: 100, total: 30 })
      const bad = await local.request('GET', `/api/datasets/${id}/rows?limit=1001`)
      expect(bad.status).toBe(422)
      expect(bad.body.errors).toEqual([{ path: 'query.limit', message: 'must be an integer from 1 to 1000' }])
    } finally {
      await local.close()
    }
  })
})
