import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import SwaggerParser from '@apidevtools/swagger-parser'
import { createAnalysisQueue } from '../../../jobs/queue/queues'
import { createRedis } from '../../../jobs/queue/redis'
import { createApp } from '../../../src/app'
import { createDb } from '../../../src/db/client'
import { createLogger } from '../../../src/logger'
import { bearer, createHarness, type Harness } from '../../support/harness'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(30_000)

let h: Harness

beforeAll(async () => {
  h = await createHarness()
})
afterAll(() => h.close())

describe('health', () => {
  test('/health answers while the process runs and /ready names its dependencies', async () => {
    expect(await h.request('GET', '/health')).toMatchObject({ status: 200, body: { status: 'ok' } })
    expect(await h.request('GET', '/ready')).toMatchObject({
      status: 200,
      body: { status: 'ok', checks: { postgres: 'ok', redis: 'ok' } },
    })
  })

  test('with PostgreSQL and Redis unreachable, /ready is 503 and requests answer 503 problems', async () => {
    const log = createLogger('silent')
    const db = createDb('postgres://postgres@127.0.0.1:9/none', { max: 1 })
    const redis = createRedis('redis://127.0.0.1:9', 'api')
    redis.on('error', () => {})
    const queue = createAnalysisQueue(redis, 'dd-test-down')
    queue.on('error', () => {})
    const app = createApp({ config: h.config, db, redis, queue, events: h.events, streams: h.streams, log })
    try {
      const ready = await app.handle(new Request('http://localhost/ready'))
      expect(ready.status).toBe(503)
      expect(await ready.json()).toEqual({ status: 'down', checks: { postgres: 'down', redis: 'down' } })
      const list = await app.handle(new Request('http://localhost/api/datasets', { headers: bearer() }))
      expect(list.status).toBe(503)
      expect(list.headers.get('content-type')).toBe('application/problem+json')
      expect(list.headers.get('retry-after')).toBe('5')
      const body = await list.json()
      expect(body).toMatchObject({
        status: 503,
        code: 'DEPENDENCY_UNAVAILABLE',
        detail: 'postgres is unavailable; try again shortly',
      })
      expect(JSON.stringify(body)).not.toContain('ECONNREFUSED')
    } finally {
      await queue.close().catch(() => {})
      redis.disconnect()
      await db.$client.end()
    }
  })
})

describe('conventions', () => {
  test('paths work with and without a trailing slash', async () => {
    expect((await h.request('GET', '/api/datasets/')).status).toBe(200)
    expect((await h.request('GET', '/api/tasks/')).status).toBe(200)
  })

  test('every answer carries a request id, echoed from the client when sane, and problems repeat it', async () => {
    const res = await h.request('GET', '/api/datasets/nope', { headers: { 'x-request-id': 'abc-123' } })
    expect(res.headers.get('x-request-id')).toBe('abc-123')
    expect(res.body.request_id).toBe('abc-123')
    const generated = await h.request('GET', '/health', { headers: { 'x-request-id': '<script>' } })
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
  })

  test('an unknown route is a 404 problem', async () => {
    const res = await h.request('GET', '/api/nothing-here')
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    expect(res.body.code).toBe('NOT_FOUND')
  })
})

describe('API documentation', () => {
  test('the OpenAPI document is valid and documents every route with its errors', async () => {
    const res = await h.request('GET', '/swagger/json')
    expect(res.status).toBe(200)
    const spec = res.body
    await SwaggerParser.validate(structuredClone(spec))
    const documented = Object.entries(spec.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map(method => `${method.toUpperCase()} ${path}`),
    )
    // The API's routes; the docs and dashboard pages and CORS preflights are not part of it.
    const routes = h.app.routes
      .filter(
        r => r.method !== 'OPTIONS' && (r.path.startsWith('/api/') || r.path === '/health' || r.path === '/ready'),
      )
      .map(r => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`)
    expect(documented.sort()).toEqual([...new Set(routes)].sort())
    for (const [path, ops] of Object.entries(spec.paths as Record<string, Record<string, any>>))
      for (const [method, op] of Object.entries(ops)) {
        expect(op.summary, `${method} ${path} summary`).toBeString()
        expect(op.tags?.length, `${method} ${path} tags`).toBeGreaterThan(0)
        for (const [status, response] of Object.entries(op.responses as Record<string, { content?: object }>))
          if (Number(status) >= 400) expect(Object.keys(response.content ?? {})).toEqual(['application/problem+json'])
      }
    expect(Object.keys(spec.paths['/api/datasets/{id}'].get.responses)).toEqual(['200', '401', '404', '429'])
    expect(Object.keys(spec.paths['/api/datasets'].post.requestBody.content)).toEqual([
      'application/json',
      'multipart/form-data',
    ])
    const data = spec.paths['/api/datasets/{id}/data']
    expect(Object.keys(data.put.requestBody.content)).toEqual(['text/csv', 'application/x-ndjson', 'application/json'])
    expect(Object.keys(data.get.responses)).toEqual(['200', '401', '404', '409', '422', '429'])
    expect(Object.keys(data.get.responses['200'].content)).toEqual(['text/csv', 'application/x-ndjson'])
  })

  test('the docs page loads its script from the api itself, not from a CDN', async () => {
    const page = await h.request('GET', '/swagger')
    expect(page.status).toBe(200)
    const scripts = [...page.text.matchAll(/<script[^>]*src="([^"]+)"/g)].map(m => m[1])
    expect(scripts).toEqual(['/swagger/assets/scalar.js'])
    expect(page.text).toContain('"url":"/swagger/json"')
    const asset = await h.app.handle(new Request('http://localhost/swagger/assets/scalar.js'))
    expect(asset.status).toBe(200)
    expect(asset.headers.get('content-type')).toContain('javascript')
    expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(100_000)
  })
})
