import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { datasetWithRows } from '../../support/datasets'
import { createHarness, type Harness } from '../../support/harness'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(30_000)

let h: Harness
let dataset: string
beforeAll(async () => {
  h = await createHarness()
  dataset = await datasetWithRows(h)
})
afterAll(() => h.close())

const taskCount = async () => (await h.db.$client`select count(*)::int as n from tasks`)[0]!.n as number

/** A 422 whose answer is small and lists 64 errors, saying how many more there are. */
function expectCapped(res: { status: number; text: string; body: any }, more: string) {
  expect(res.status).toBe(422)
  expect(res.body.errors).toHaveLength(64)
  expect(res.body.detail).toEndWith(`(the first 64 errors are listed; ${more} more are not)`)
  expect(res.text.length).toBeLessThan(16 * 1024)
}

describe('validation answers are bounded', () => {
  test('100,000 bad entries in params.columns: 64 errors listed, the rest counted, nothing queued', async () => {
    const before = await taskCount()
    const columns = Array.from({ length: 100_000 }, () => 1)
    const res = await h.request('POST', `/api/datasets/${dataset}/process`, {
      json: { kind: 'profile', params: { columns } },
    })
    expectCapped(res, 'at least 10,000')
    expect(res.body.errors[0]).toEqual({
      path: 'body.params.columns',
      message: 'Expected array length to be less or equal to 1000',
    })
    expect(res.body.errors[1]).toEqual({ path: 'body.params.columns.0', message: 'Expected string' })
    expect(await taskCount()).toBe(before)
  })

  test('column problems are capped the same way, counted exactly', async () => {
    const columns = Array.from({ length: 1000 }, (_, i) => `missing ${i}`)
    const res = await h.request('POST', `/api/datasets/${dataset}/process`, { json: { params: { columns } } })
    expectCapped(res, '936')
    expect(res.body.detail).toStartWith('Invalid params for profile')
    expect(res.body.errors[63]).toEqual({ path: 'body.params.columns.63', message: 'no column named "missing 63"' })
  })

  test('params past MAX_PARAMS_BYTES are refused before they are validated, naming the limit', async () => {
    const before = await taskCount()
    const res = await h.request('POST', `/api/datasets/${dataset}/process`, {
      json: { kind: 'profile', params: { columns: Array.from({ length: 600_000 }, () => 1) } },
    })
    expect(res.status).toBe(422)
    expect(res.body).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      detail: 'The params are larger than 1048576 bytes of JSON, the limit (MAX_PARAMS_BYTES)',
      errors: [{ path: 'body.params', message: 'larger than 1048576 bytes' }],
    })
    expect(await taskCount()).toBe(before)
  })

  test('MAX_PARAMS_BYTES is configurable, and params at the limit are validated as usual', async () => {
    const small = await createHarness({ MAX_PARAMS_BYTES: '2048' })
    try {
      const { id } = (await small.request('POST', '/api/datasets', { json: { name: 'd', rows: [{ x: 1 }] } })).body
      const params = { columns: ['x', 'y'.repeat(2049)] }
      const over = await small.request('POST', `/api/datasets/${id}/process`, { json: { params } })
      expect(over.body.code).toBe('LIMIT_EXCEEDED')
      params.columns[1] = 'y'.repeat(2048 - (JSON.stringify(params).length - 2049))
      expect(Buffer.byteLength(JSON.stringify(params))).toBe(2048)
      const at = await small.request('POST', `/api/datasets/${id}/process`, { json: { params } })
      expect(at.body.errors).toEqual([{ path: 'body.params.columns.1', message: expect.stringContaining('no column') }])
    } finally {
      await small.close()
    }
  })

  test('a route schema (Elysia validation) lists 64 errors and counts the rest', async () => {
    const extra = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`unknown_${i}`, i]))
    const many = await h.request('PUT', `/api/datasets/${dataset}`, { json: { name: 'x', ...extra(100_000) } })
    expectCapped(many, 'at least 10,000')
    expect(many.body.errors[0]).toEqual({ path: 'body.unknown_0', message: 'Unexpected property' })
    expectCapped(await h.request('PATCH', `/api/datasets/${dataset}`, { json: extra(100) }), '36')
    expect((await h.request('GET', `/api/datasets/${dataset}`)).body.name).toBe('d')
  })

  test('a body checked by its route handler (create) lists 64 errors and counts the rest', async () => {
    const rows = Array.from({ length: 100_000 }, () => 'not an object')
    expectCapped(await h.request('POST', '/api/datasets', { json: { name: 'x', rows } }), 'at least 10,000')
    const datasets = await h.db.$client`select count(*)::int as n from datasets`
    expect(datasets[0]!.n).toBe(1)
  })
})
