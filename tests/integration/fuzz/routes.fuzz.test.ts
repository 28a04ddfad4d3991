import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test'
import fc from 'fast-check'
import { ADMIN_KEY, createHarness, type Harness, waitFor } from '../../support/harness'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(30_000)

/**
 * Property-based fuzzing of every route: random and hostile paths, queries, headers and bodies,
 * sent with any of several credentials. Whatever comes in, the answer is never a 5xx, a 4xx
 * changes nothing (rows and queued jobs), and the api still answers afterwards. Seeded and
 * bounded, so a failure replays exactly.
 */

const SEED = 20261128
const RUNS = 3000

let h: Harness
let userKey: string
let dataset: string
let task: string

beforeAll(async () => {
  h = await createHarness({ MAX_JSON_BYTES: String(256 * 1024), MAX_BODY_BYTES: String(512 * 1024) })
  const worker = await h.startWorker(1)
  userKey = (await h.request('POST', '/api/keys', { json: { name: 'fuzzed' } })).body.key
  dataset = (
    await h.request('POST', '/api/datasets', {
      key: userKey,
      json: {
        name: 'target',
        rows: [
          { x: 1.5, n: 2, s: 'a', b: true },
          { x: -3, n: 7, s: 'b', b: false },
        ],
      },
    })
  ).body.id
  task = (await h.request('POST', `/api/datasets/${dataset}/process`, { key: userKey, json: {} })).body.id
  await waitFor(async () => (await h.request('GET', `/api/tasks/${task}`)).body.status === 'completed')
  await worker.close()
})
afterAll(() => h.close())

const sqlAndMarkup = [
  "' OR '1'='1",
  '1; DROP TABLE datasets; --',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '../../../etc/passwd',
  '\u0000',
  '\ud800',
  '{{7*7}}',
  '__proto__',
  'constructor',
  'NaN',
  '-0',
  '1e309',
  '🙂'.repeat(300),
  'x'.repeat(70_000),
]

const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(...sqlAndMarkup),
)
const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(2 ** 53 + 2, -(2 ** 63), 1e308, -1, 0, 0.5, 1e-320),
)
const hostileValue: fc.Arbitrary<unknown> = fc.letrec(tie => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('name', 'rows', 'csv', 'kind', 'params', '__proto__')),
      tie('value'),
      { maxKeys: 4 },
    ),
  ),
})).value

/** Bodies from plausible to absurd: structured JSON, hostile JSON, broken text, deep nesting, binary. */
const body = fc.oneof(
  fc
    .record(
      {
        name: fc.oneof(hostileString, hostileValue),
        description: hostileValue,
        rows: fc.oneof(
          fc.array(fc.dictionary(hostileString, hostileValue, { maxKeys: 3 }), { maxLength: 3 }),
          hostileValue,
        ),
        csv: fc.oneof(hostileString, fc.constantFrom('a,b\n1,2\n', 'a\n"unterminated', '\ufeffa\n1\n', 'a,a\n1,2\n')),
        kind: fc.oneof(
          fc.constantFrom('profile', 'correlation', 'histogram', 'groupby', 'regression', 'outliers'),
          hostileValue,
        ),
        params: fc.oneof(
          fc.record(
            {
              columns: fc.oneof(
                fc.array(fc.constantFrom('x', 'n', 's', 'b', 'missing'), { maxLength: 3 }),
                hostileValue,
              ),
              column: fc.oneof(fc.constantFrom('x', 'n', 's'), hostileValue),
              bins: hostileValue,
              method: fc.oneof(fc.constantFrom('pearson', 'spearman', 'iqr', 'zscore'), hostileValue),
              by: hostileValue,
              target: hostileValue,
              features: hostileValue,
              threshold: hostileValue,
            },
            { requiredKeys: [] },
          ),
          hostileValue,
        ),
        key: hostileValue,
        admin: hostileValue,
        owner_id: hostileValue,
        status: hostileValue,
      },
      { requiredKeys: [] },
    )
    .map(value => JSON.stringify(value)),
  hostileValue.map(value => JSON.stringify(value) ?? 'null'),
  hostileString,
  fc.constantFrom(
    '',
    '{',
    `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
    `{"name":${'1'.repeat(400)}}`,
    '{"name":"x","rows":[{"big":123456789012345678901234567890}]}',
    '{"name":"x"}{"name":"y"}',
  ),
  fc.uint8Array({ maxLength: 64 }).map(bytes => new TextDecoder('latin1').decode(bytes)),
)

const contentType = fc.constantFrom(
  'application/json',
  'text/csv',
  'application/x-ndjson',
  'multipart/form-data; boundary=x',
  'text/plain',
  'application/json; charset=utf-16',
  'application/xml',
  '',
)

const segment = fc.oneof(
  fc.constant('DATASET'),
  fc.constant('TASK'),
  fc.uuid().map(String),
  hostileString.map(s => encodeURIComponent(s.slice(0, 200).toWellFormed())),
)

const query = fc
  .dictionary(
    fc.constantFrom('limit', 'cursor', 'q', 'status', 'kind', 'dataset_id', 'offset', 'format', 'x'),
    fc.oneof(hostileString, hostileNumber.map(String), fc.constantFrom('DATASET', '500', '0', '-1', '1e3', 'csv')),
    { maxKeys: 4 },
  )
  .map(q => new URLSearchParams(q).toString())

/** Mostly real keys, so that requests get past authentication to the routes themselves. */
const credentials = fc.oneof(
  { arbitrary: fc.constant<Record<string, string>>({ authorization: `Bearer ${ADMIN_KEY}` }), weight: 4 },
  { arbitrary: fc.constant<Record<string, string>>({ authorization: 'Bearer USER' }), weight: 4 },
  {
    arbitrary: fc.constantFrom<Record<string, string>>(
      {},
      { authorization: 'Bearer dd_garbage' },
      { authorization: 'Basic x' },
    ),
    weight: 1,
  },
)

const ROUTES: [string, string][] = [
  ['GET', '/api/datasets'],
  ['POST', '/api/datasets'],
  ['GET', '/api/datasets/{id}'],
  ['PUT', '/api/datasets/{id}'],
  ['PATCH', '/api/datasets/{id}'],
  ['DELETE', '/api/datasets/{id}'],
  ['GET', '/api/datasets/{id}/rows'],
  ['GET', '/api/datasets/{id}/data'],
  ['PUT', '/api/datasets/{id}/data'],
  ['POST', '/api/datasets/{id}/process'],
  ['GET', '/api/tasks'],
  ['GET', '/api/tasks/{id}'],
  ['DELETE', '/api/tasks/{id}'],
  ['POST', '/api/tasks/{id}/cancel'],
  ['POST', '/api/tasks/{id}/retry'],
  ['GET', '/api/tasks/{id}/events'],
  ['GET', '/api/events'],
  ['POST', '/api/keys'],
  ['GET', '/api/keys'],
  ['DELETE', '/api/keys/{id}'],
  ['POST', '/api/session'],
  ['GET', '/api/session'],
  ['DELETE', '/api/session'],
]

const request = fc.record({
  route: fc.constantFrom(...ROUTES),
  id: segment,
  query,
  body: fc.option(body, { nil: undefined }),
  contentType,
  credentials,
  idempotencyKey: fc.option(hostileString, { nil: undefined }),
})

/** Every row the API can change, and the queued jobs, in one fingerprint. */
async function state(): Promise<string> {
  const [row] = await h.db.$client`
    select
      (select coalesce(md5(string_agg(d::text, ',' order by id)), '') from datasets d) as datasets,
      (select coalesce(md5(string_agg(t::text, ',' order by id)), '') from tasks t) as tasks,
      (select coalesce(md5(string_agg(k::text, ',' order by id)), '') from api_keys k) as keys,
      (select count(*) from dataset_chunks) as chunks`
  return JSON.stringify([row, await h.queue.getJobCounts()])
}

test('no input makes a route answer 5xx or change anything when it refuses, and the api keeps answering', async () => {
  let before = await state()
  const statuses = new Map<number, number>()
  await fc.assert(
    fc.asyncProperty(
      request,
      async ({ route: [method, template], id, query, body, contentType, credentials, idempotencyKey }) => {
        // Destructive routes get only ids that name nothing, so the targets survive the run.
        const target = method === 'DELETE' && (id === 'DATASET' || id === 'TASK') ? crypto.randomUUID() : id
        const path = template.replace('{id}', target).replace('DATASET', dataset).replace('TASK', task)
        const headers: Record<string, string> = { ...credentials }
        if (headers.authorization === 'Bearer USER') headers.authorization = `Bearer ${userKey}`
        if (contentType) headers['content-type'] = contentType
        // A header can only hold Latin-1 without line breaks; clients cannot send anything else.
        if (idempotencyKey !== undefined)
          headers['idempotency-key'] = idempotencyKey.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?')
        const res = await h.app.handle(
          new Request(`http://localhost${path}${query ? `?${query}` : ''}`, {
            method,
            headers,
            body: method === 'GET' || method === 'DELETE' ? undefined : body,
          }),
        )
        if (res.headers.get('content-type')?.startsWith('text/event-stream')) await res.body?.cancel()
        else await res.arrayBuffer()
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
        expect(res.status, `${method} ${path}`).toBeLessThan(500)
        const after = await state()
        if (res.status >= 400) expect(after, `${method} ${path} answered ${res.status} but changed data`).toBe(before)
        before = after
      },
    ),
    { seed: SEED, numRuns: RUNS, endOnFailure: true },
  )
  console.error([...statuses.entries()].sort())
  expect([...statuses.keys()].some(s => s < 300)).toBe(true)
  expect([...statuses.keys()].filter(s => s >= 400).length).toBeGreaterThan(4)
  expect((await h.request('GET', '/health')).status).toBe(200)
  expect((await h.request('GET', `/api/datasets/${dataset}`)).status).toBe(200)
}, 120_000)
