import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { createRedis } from '../../../jobs/queue/redis'
import { type App, createApp } from '../../../src/app'
import type { LogFields, Logger } from '../../../src/logger'
import { datasetWithRows } from '../../support/datasets'
import { bearer, createHarness, type Harness, waitFor } from '../../support/harness'
import { rawRequest } from '../../support/raw-http'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(30_000)

/** A logger that keeps the request lines it is given. */
function capturingLogger(lines: LogFields[]): Logger {
  const log: Logger = {
    enabled: () => true,
    debug() {},
    info: (msg, fields) => {
      if (msg === 'request') lines.push(fields ?? {})
    },
    warn() {},
    error() {},
    child: () => log,
  }
  return log
}

let h: Harness
let app: App
let redis: ReturnType<typeof createRedis>
let port: number
let dataset: string
const lines: LogFields[] = []

beforeAll(async () => {
  h = await createHarness()
  redis = createRedis(h.config.redisUrl, 'api')
  const { config, db, queue, events, streams } = h
  app = createApp({ config, db, redis, queue, events, streams, log: capturingLogger(lines) })
  app.listen({ port: 0, hostname: '127.0.0.1' })
  port = app.server!.port!
  dataset = await datasetWithRows(h)
})
afterAll(async () => {
  await app.stop()
  redis.disconnect()
  await h.close()
})

const MISSING = '00000000-0000-4000-8000-000000000000'
const json = { ...bearer(), 'content-type': 'application/json' }

/** Requests answered every way the api answers: by a route, a hook, the error mapper, a stream. */
const requests = (): [string, string, RequestInit?][] => [
  ['no route under /api', '/api/nothing-here'],
  ['no route', '/nothing-here'],
  ['no key (refused by the auth hook)', '/api/datasets', { headers: {} }],
  ['a bad key', '/api/datasets', { headers: { authorization: 'Bearer dd_nope' } }],
  ['a list', '/api/datasets'],
  ['a created dataset', '/api/datasets', { method: 'POST', headers: json, body: '{"name":"n"}' }],
  ['a malformed body', '/api/datasets', { method: 'POST', headers: json, body: '{' }],
  ['an invalid query', '/api/datasets?limit=0'],
  ['an unknown dataset', `/api/datasets/${MISSING}`],
  ['a deleted dataset', `/api/datasets/${MISSING}`, { method: 'DELETE' }],
  [
    'an unsupported media type',
    `/api/datasets/${dataset}/data`,
    { method: 'PUT', body: 'x', headers: { ...bearer(), 'content-type': 'image/png' } },
  ],
  ['an export stream', `/api/datasets/${dataset}/data`],
  ['an event stream', '/api/events'],
  ['the health check', '/health', { headers: {} }],
]

async function loggedStatus(send: () => Promise<number>): Promise<{ status: number; logged: unknown }> {
  const before = lines.length
  const status = await send()
  const line = await waitFor(async () => lines[before], 5000, 'the request line')
  expect(lines.length).toBe(before + 1)
  return { status, logged: line.status }
}

describe('the request log', () => {
  test('through app.handle, every line carries the status the client got', async () => {
    const statuses: number[] = []
    for (const [what, path, init = {}] of requests()) {
      const answer = await loggedStatus(async () => {
        const res = await app.handle(
          new Request(`http://localhost${path}`, { ...init, headers: init.headers ?? bearer() }),
        )
        if (res.headers.get('content-type')?.startsWith('text/event-stream')) await res.body?.cancel()
        else await res.arrayBuffer()
        return res.status
      })
      expect({ what, logged: answer.logged }).toEqual({ what, logged: answer.status })
      statuses.push(answer.status)
    }
    expect(statuses).toEqual([404, 404, 401, 401, 200, 201, 400, 422, 404, 404, 415, 200, 200, 200])
  })

  test('on the wire, every line carries the status the client got, 304 and 404 included', async () => {
    let etag = ''
    await loggedStatus(async () => {
      const page = await fetch(`http://127.0.0.1:${port}/`)
      etag = page.headers.get('etag')!
      await page.arrayBuffer()
      return page.status
    })
    const statuses: number[] = []
    for (const [what, target, headers] of [
      ['no route', '/nothing-here', []],
      ['a page not modified', '/', [`If-None-Match: ${etag}`]],
      ['a dataset', `/api/datasets/${dataset}`, [`Authorization: ${bearer().authorization}`]],
      ['no key', `/api/datasets/${dataset}`, []],
    ] as const) {
      const answer = await loggedStatus(
        async () => (await rawRequest(port, [`GET ${target} HTTP/1.1`, 'Host: localhost', ...headers])).status,
      )
      expect({ what, logged: answer.logged }).toEqual({ what, logged: answer.status })
      statuses.push(answer.status)
    }
    expect(statuses).toEqual([404, 304, 200, 401])
  })
})
