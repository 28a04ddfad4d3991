import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { createHarness, type Harness, taskEnded } from '../../support/harness'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(60_000)

/** Names every plain object already answers to. */
const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty']

let h: Harness
beforeAll(async () => {
  h = await createHarness()
  await h.startWorker(2)
})
afterAll(() => h.close())

const VALUES = [1.5, 2, 4, 10, 2]
const KEYS = ['a', 'b', 'a', 'b', 'c']

/** A JSON object written as text, so that `__proto__` is a key whatever the writer. */
const objectText = (entries: [string, unknown][]) =>
  `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`
const recordsOf = (name: string) =>
  VALUES.map((x, i) =>
    objectText([
      [name, x],
      ['k', KEYS[i]],
      ['v', x * 3 + i / 2],
    ]),
  )
const csvOf = (name: string) => [`${name},k,v`, ...VALUES.map((x, i) => `${x},${KEYS[i]},${x * 3 + i / 2}`)].join('\n')

/** A value as text with keys sorted and `plain` renamed, to compare results whatever their key order. */
function canonical(value: unknown, rename: (s: string) => string = s => s): string {
  if (Array.isArray(value)) return `[${value.map(v => canonical(v, rename)).join(',')}]`
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .map(k => [rename(k), canonical((value as Record<string, unknown>)[k], rename)] as const)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${JSON.stringify(k)}:${v}`)
      .join(',')}}`
  return JSON.stringify(typeof value === 'string' ? rename(value) : value)
}

async function create(body: string): Promise<string> {
  const res = await h.request('POST', '/api/datasets', { body, headers: { 'content-type': 'application/json' } })
  expect(res.status, res.text).toBe(201)
  return res.body.id
}

const analyses = (name: string) => [
  { kind: 'profile' },
  { kind: 'correlation', params: { columns: [name, 'v'] } },
  { kind: 'histogram', params: { column: name, bins: 3 } },
  { kind: 'groupby', params: { by: [name], aggregations: [{ column: 'v', fn: 'sum' }] } },
  {
    kind: 'groupby',
    params: {
      by: ['k'],
      aggregations: ['count', 'sum', 'mean', 'min', 'max', 'std', 'median'].map(fn => ({ column: name, fn })),
    },
  },
  { kind: 'regression', params: { target: 'v', features: [name] } },
  { kind: 'regression', params: { target: name, features: ['v'] } },
  { kind: 'outliers', params: { column: name, method: 'iqr', threshold: 0.1 } },
  { kind: 'outliers', params: { column: name, method: 'zscore' } },
]

async function results(dataset: string, name: string): Promise<unknown[]> {
  const tasks = []
  for (const analysis of analyses(name)) {
    const res = await h.request('POST', `/api/datasets/${dataset}/process`, { json: analysis })
    expect(res.status, res.text).toBe(202)
    tasks.push(res.body.id)
  }
  const out = []
  for (const id of tasks) {
    const task = await taskEnded(h, id)
    expect(task.status, task.error).toBe('completed')
    out.push({ params: task.params, result: task.result })
  }
  return out
}

describe('columns named like object internals', () => {
  let baseline: unknown[]
  beforeAll(async () => {
    baseline = await results(await create(`{"name":"plain","rows":[${recordsOf('plain').join(',')}]}`), 'plain')
  })

  for (const name of NAMES) {
    test(`${name}: every way in keeps it, and rows, exports and every analysis carry it`, async () => {
      const columns = [
        { name, type: 'number', nullable: false },
        { name: 'k', type: 'string', nullable: false },
        { name: 'v', type: 'number', nullable: false },
      ]
      const inline = await create(`{"name":"n","rows":[${recordsOf(name).join(',')}]}`)
      const inlineCsv = await create(JSON.stringify({ name: 'n', csv: csvOf(name) }))
      const uploads: [string, string][] = [
        ['text/csv', csvOf(name)],
        ['application/x-ndjson', recordsOf(name).join('\n')],
        ['application/json', `[${recordsOf(name).join(',')}]`],
      ]
      const form = new FormData()
      form.set('name', 'n')
      form.set('file', new File([recordsOf(name).join('\n')], 'data.ndjson'))
      const multipart = (await h.request('POST', '/api/datasets', { body: form })).body.id
      for (const id of [inline, inlineCsv, multipart])
        expect((await h.request('GET', `/api/datasets/${id}`)).body.columns).toEqual(columns)
      for (const [type, body] of uploads) {
        const res = await h.request('PUT', `/api/datasets/${inline}/data`, { body, headers: { 'content-type': type } })
        expect({ type, columns: res.body.columns }).toEqual({ type, columns })
      }

      const rows = (await h.request('GET', `/api/datasets/${inline}/rows`)).text
      expect(JSON.parse(rows).data.map((row: object) => Object.keys(row))).toEqual(VALUES.map(() => [name, 'k', 'v']))
      expect(rows).toContain(`{${JSON.stringify(name)}:1.5,"k":"a","v":4.5}`)
      const csv = (await h.request('GET', `/api/datasets/${inline}/data?format=csv`)).text
      expect(csv.split('\r\n').slice(0, 2)).toEqual([`${name},k,v`, '1.5,a,4.5'])
      const ndjson = (await h.request('GET', `/api/datasets/${inline}/data?format=ndjson`)).text
      expect(ndjson.split('\n')[0]).toBe(`{${JSON.stringify(name)}:1.5,"k":"a","v":4.5}`)

      const rename = (s: string) => s.replaceAll('plain', name)
      const mine = await results(inline, name)
      expect(mine.map(r => canonical(r))).toEqual(baseline.map(r => canonical(r, rename)))
    })
  }

  test('a multipart field named like one is an unknown field', async () => {
    for (const name of NAMES) {
      const form = new FormData()
      form.set('name', 'n')
      form.set(name, 'x')
      form.set('file', new File(['a\n1\n'], 'a.csv', { type: 'text/csv' }))
      const res = await h.request('POST', '/api/datasets', { body: form })
      expect({ name, status: res.status, errors: res.body.errors }).toEqual({
        name,
        status: 422,
        errors: [{ path: `body.${name}`, message: 'Unexpected property' }],
      })
    }
  })
})
