import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { sql } from 'drizzle-orm'
import mixed from '../../fixtures/mixed.json'
import regression from '../../fixtures/regression.json'
import { expectClose } from '../../support/expect-close'
import { createHarness, type Harness, waitFor } from '../../support/harness'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(30_000)

let h: Harness
let mixedId: string
let regressionId: string

beforeAll(async () => {
  h = await createHarness({ CHUNK_ROWS: '64' })
  await h.startWorker()
  mixedId = (await h.request('POST', '/api/datasets', { json: { name: 'mixed', rows: mixed.rows } })).body.id
  regressionId = (await h.request('POST', '/api/datasets', { json: { name: 'regression', rows: regression.rows } }))
    .body.id
})
afterAll(() => h.close())

async function analyse(datasetId: string, body: unknown) {
  const res = await h.request('POST', `/api/datasets/${datasetId}/process`, { json: body })
  expect(res.status).toBe(202)
  return waitFor(async () => {
    const task = (await h.request('GET', `/api/tasks/${res.body.id}`)).body
    return ['completed', 'failed'].includes(task.status) ? task : null
  })
}

describe('every kind through the API', () => {
  test.each([
    [
      'correlation',
      { kind: 'correlation', params: { columns: ['x', 'big', 'n', 'const'] } },
      mixed.correlation.pearson,
    ],
    [
      'spearman',
      { kind: 'correlation', params: { columns: ['x', 'big', 'n', 'const'], method: 'spearman' } },
      mixed.correlation.spearman,
    ],
    ['histogram', { kind: 'histogram', params: { column: 'n', bins: 7 } }, mixed.histogram.n7],
    [
      'groupby',
      {
        kind: 'groupby',
        params: {
          by: ['cat', 'flag'],
          aggregations: [
            { column: 'n', fn: 'sum' },
            { column: 'n', fn: 'median' },
            { column: 'big', fn: 'mean' },
          ],
        },
      },
      mixed.groupby.cat_flag,
    ],
    ['outliers', { kind: 'outliers', params: { column: 'x', method: 'iqr' } }, mixed.outliers.x_iqr],
  ])('%s on the mixed dataset', async (_name, body, expected) => {
    const task = await analyse(mixedId, body)
    expect(task).toMatchObject({ status: 'completed', progress: 100, error: null })
    expectClose(task.result, expected)
  })

  test('regression', async () => {
    const task = await analyse(regressionId, {
      kind: 'regression',
      params: { target: 'y', features: ['x1', 'x2', 'x3'] },
    })
    expectClose(task.result, regression.expected)
  })

  test('the task records its params with defaults filled in', async () => {
    const task = await analyse(mixedId, { kind: 'outliers', params: { column: 'x', method: 'zscore' } })
    expect(task.params).toEqual({ column: 'x', method: 'zscore', threshold: 3 })
    const corr = await analyse(mixedId, { kind: 'correlation' })
    expect(corr.params).toEqual({ method: 'pearson', columns: ['x', 'big', 'n', 'const'] })
  })

  test('a singular regression fails at once with the reason', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => ({ a: i, b: 3 * i, y: i % 4 }))
    const { id } = (await h.request('POST', '/api/datasets', { json: { name: 'collinear', rows } })).body
    const task = await analyse(id, { kind: 'regression', params: { target: 'y', features: ['a', 'b'] } })
    expect(task).toMatchObject({
      status: 'failed',
      attempts: 1,
      result: null,
      error: 'singular design: the features are collinear (or one is constant), so the coefficients are not determined',
    })
  })
})

describe('params are checked against the dataset before anything is queued', () => {
  test.each([
    [{ kind: 'histogram', params: {} }, 'body.params.column', 'is required'],
    [
      { kind: 'histogram', params: { column: 'cat' } },
      'body.params.column',
      'column "cat" is string; this analysis needs a numeric column',
    ],
    [{ kind: 'histogram', params: { column: 'nope' } }, 'body.params.column', 'no column named "nope"'],
    [
      { kind: 'histogram', params: { column: 'x', bins: 0 } },
      'body.params.bins',
      'Expected integer to be greater or equal to 1',
    ],
    [
      { kind: 'histogram', params: { column: 'x', bins: 10_001 } },
      'body.params.bins',
      'Expected integer to be less or equal to 10000',
    ],
    [{ kind: 'histogram', params: { column: 'x', bins: 2.5 } }, 'body.params.bins', 'Expected integer'],
    [{ kind: 'histogram', params: { column: 'x', bins: '20' } }, 'body.params.bins', 'Expected integer'],
    [
      { kind: 'correlation', params: { columns: ['x'] } },
      'body.params.columns',
      'Expected array length to be greater or equal to 2',
    ],
    [
      { kind: 'correlation', params: { columns: ['x', 'flag'] } },
      'body.params.columns.1',
      'column "flag" is boolean; this analysis needs a numeric column',
    ],
    [{ kind: 'correlation', params: { method: 'kendall' } }, 'body.params.method', 'must be one of: pearson, spearman'],
    [
      { kind: 'correlation', params: { columns: ['x', 'x'] } },
      'body.params.columns',
      'Expected array elements to be unique',
    ],
    [
      { kind: 'groupby', params: { by: [], aggregations: [{ column: 'x', fn: 'sum' }] } },
      'body.params.by',
      'Expected array length to be greater or equal to 1',
    ],
    [
      { kind: 'groupby', params: { by: ['cat'], aggregations: [{ column: 'x', fn: 'mode' }] } },
      'body.params.aggregations.0.fn',
      'must be one of: count, sum, mean, min, max, std, median',
    ],
    [
      { kind: 'groupby', params: { by: ['cat'], aggregations: [{ column: 'cat', fn: 'sum' }] } },
      'body.params.aggregations.0.column',
      'column "cat" is string; this analysis needs a numeric column',
    ],
    [
      {
        kind: 'groupby',
        params: {
          by: ['cat'],
          aggregations: [
            { column: 'x', fn: 'sum' },
            { column: 'x', fn: 'sum' },
          ],
        },
      },
      'body.params.aggregations.1',
      'sum_x is asked for twice',
    ],
    [
      { kind: 'groupby', params: { by: ['ghost'], aggregations: [{ column: 'x', fn: 'count' }] } },
      'body.params.by.0',
      'no column named "ghost"',
    ],
    [
      { kind: 'regression', params: { target: 'x', features: ['x', 'n'] } },
      'body.params.features.0',
      'the target cannot also be a feature',
    ],
    [
      { kind: 'regression', params: { target: 'cat', features: ['n'] } },
      'body.params.target',
      'column "cat" is string; this analysis needs a numeric column',
    ],
    [
      { kind: 'regression', params: { target: 'x', features: [] } },
      'body.params.features',
      'Expected array length to be greater or equal to 1',
    ],
    [{ kind: 'outliers', params: { column: 'x', method: 'mad' } }, 'body.params.method', 'must be one of: iqr, zscore'],
    [
      { kind: 'outliers', params: { column: 'x', method: 'iqr', threshold: 0 } },
      'body.params.threshold',
      'Expected number to be greater than 0',
    ],
    [
      { kind: 'outliers', params: { column: 'x', method: 'iqr', threshold: 'high' } },
      'body.params.threshold',
      'Expected number',
    ],
    [{ kind: 'outliers', params: { column: 'x' } }, 'body.params.method', 'is required'],
    [
      { kind: 'profile', params: { columns: [] } },
      'body.params.columns',
      'Expected array length to be greater or equal to 1',
    ],
    [{ kind: 'profile', params: { bins: 3 } }, 'body.params.bins', 'Unexpected property'],
    [{ kind: 'median' }, 'body.kind', 'must be one of: profile, correlation, histogram, groupby, regression, outliers'],
  ])('%j → 422 at %s', async (body, path, message) => {
    const before = await h.db.execute<{ n: number }>(sql`select count(*)::int as n from tasks`)
    const res = await h.request('POST', `/api/datasets/${mixedId}/process`, { json: body })
    expect(res.status).toBe(422)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    const error = res.body.errors.find((e: { path: string }) => e.path === path)
    expect(error?.message).toStartWith(message)
    const after = await h.db.execute<{ n: number }>(sql`select count(*)::int as n from tasks`)
    expect(after[0]!.n).toBe(before[0]!.n)
  })

  test('a dataset with fewer than two numeric columns cannot be correlated', async () => {
    const { id } = (await h.request('POST', '/api/datasets', { json: { name: 'one', rows: [{ a: 1, b: 'x' }] } })).body
    const res = await h.request('POST', `/api/datasets/${id}/process`, { json: { kind: 'correlation' } })
    expect(res.status).toBe(422)
    expect(res.body.errors).toEqual([
      { path: 'body.params.columns', message: 'the dataset has fewer than two numeric columns to correlate' },
    ])
  })
})
