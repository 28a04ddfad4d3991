import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { datasetWithRows } from '../../support/datasets'
import { ADMIN_KEY, bearer, createHarness, type Harness } from '../../support/harness'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(30_000)

let h: Harness
let dataset: string
beforeAll(async () => {
  h = await createHarness()
  dataset = await datasetWithRows(h)
})
afterAll(() => h.close())

const get = (path: string, headers: Record<string, string> = bearer()) =>
  h.app.handle(new Request(`http://localhost${path}`, { headers }))

describe('security headers', () => {
  test('every answer, problems and event streams included, forbids sniffing and framing and carries a CSP', async () => {
    const answers = {
      json: await get(`/api/datasets/${dataset}`),
      notFound: await get('/api/datasets/00000000-0000-4000-8000-000000000000'),
      unauthorized: await get('/api/datasets', {}),
      invalid: await get('/api/datasets?limit=0'),
      stream: await get('/api/events'),
      health: await get('/health', {}),
    }
    for (const [name, res] of Object.entries(answers)) {
      expect(res.headers.get('x-content-type-options'), name).toBe('nosniff')
      expect(res.headers.get('x-frame-options'), name).toBe('DENY')
      expect(res.headers.get('referrer-policy'), name).toBe('no-referrer')
      expect(res.headers.get('content-security-policy'), name).toBe(
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
      )
      expect(res.headers.get('x-request-id'), name).toBeString()
    }
    await answers.stream.body?.cancel()
    const docs = await get('/swagger', {})
    expect(docs.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
    expect(docs.headers.get('content-security-policy')).toContain("connect-src 'self'")
  })

  test('problems carry the request id, and never a stack trace or SQL', async () => {
    const broken = await createHarness()
    try {
      // schema drift: a column the code reads is gone, so the query fails in an unexpected way
      await broken.db.$client`alter table datasets rename column description to about`
      const res = await broken.request('GET', '/api/datasets', { headers: { 'x-request-id': 'trace-me' } })
      expect(res.status).toBe(500)
      expect(res.body).toEqual({
        type: 'https://datadynamo.dev/problems/internal',
        title: 'Internal Server Error',
        status: 500,
        detail: 'An unexpected error occurred',
        code: 'INTERNAL',
        request_id: 'trace-me',
      })
      expect(res.text).not.toMatch(/select|description|column|at \//i)
    } finally {
      await broken.close()
    }
  })
})

describe('CORS', () => {
  test('is off by default: no origin is allowed, preflights included', async () => {
    const preflight = await h.app.handle(
      new Request('http://localhost/api/datasets', {
        method: 'OPTIONS',
        headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'GET' },
      }),
    )
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull()
    const res = await get('/api/datasets', { ...bearer(), origin: 'https://elsewhere.example' })
    expect(res.status).toBe(200)
    expect(res.headers.get('access-control-allow-origin')).toBeNull()
  })

  test('CORS_ORIGINS allows exactly the origins it lists', async () => {
    const open = await createHarness({ CORS_ORIGINS: 'https://app.example, https://admin.example' })
    try {
      const preflight = await open.app.handle(
        new Request('http://localhost/api/datasets', {
          method: 'OPTIONS',
          headers: {
            origin: 'https://app.example',
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'authorization, content-type',
          },
        }),
      )
      expect(preflight.status).toBe(204)
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example')
      expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization')
      const allowed = await open.app.handle(
        new Request('http://localhost/api/datasets', {
          headers: { authorization: `Bearer ${ADMIN_KEY}`, origin: 'https://admin.example' },
        }),
      )
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://admin.example')
      const other = await open.app.handle(
        new Request('http://localhost/api/datasets', {
          headers: { authorization: `Bearer ${ADMIN_KEY}`, origin: 'https://evil.example' },
        }),
      )
      expect(other.headers.get('access-control-allow-origin')).toBeNull()
    } finally {
      await open.close()
    }
  })
})

describe('no mass assignment', () => {
  test.each(['id', 'owner_id', 'status', 'row_count', 'created_at', 'version'])(
    'a dataset body with %s is refused and changes nothing',
    async field => {
      const before = (await h.request('GET', `/api/datasets/${dataset}`)).body
      const created = await h.request('POST', '/api/datasets', { json: { name: 'x', [field]: 'forged' } })
      expect(created.status).toBe(422)
      expect(created.body.errors.map((e: { path: string }) => e.path)).toContain(`body.${field}`)
      const patched = await h.request('PATCH', `/api/datasets/${dataset}`, { json: { [field]: 'forged' } })
      expect(patched.status).toBe(422)
      expect((await h.request('GET', `/api/datasets/${dataset}`)).body).toEqual(before)
    },
  )

  test('a process body with status or result is refused before anything is queued', async () => {
    const jobs = await h.queue.getJobCounts()
    for (const field of ['status', 'result', 'owner_id', 'attempts']) {
      const res = await h.request('POST', `/api/datasets/${dataset}/process`, {
        json: { kind: 'profile', [field]: 'x' },
      })
      expect(res.status).toBe(422)
    }
    expect(await h.queue.getJobCounts()).toEqual(jobs)
  })
})
