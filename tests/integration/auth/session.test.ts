import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { createRedis } from '../../../jobs/queue/redis'
import { createApp } from '../../../src/app'
import { createLogger } from '../../../src/logger'
import { ADMIN_KEY, createHarness, type Harness } from '../../support/harness'
import { SseReader } from '../../support/sse-client'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(30_000)

let h: Harness
beforeAll(async () => {
  h = await createHarness()
})
afterAll(() => h.close())

/** Signs in as a browser would and answers the cookie pair to send back. */
async function signIn(key: string): Promise<string> {
  const res = await h.request('POST', '/api/session', { key: null, json: { key } })
  expect(res.status).toBe(200)
  return res.headers.get('set-cookie')!.split(';')[0]!
}

const withCookie = (cookie: string, headers: Record<string, string> = {}) => ({
  key: null,
  headers: { cookie, ...headers },
})

describe('browser sessions', () => {
  test('signing in with a key sets an HttpOnly, SameSite=Strict, expiring cookie and says who it is', async () => {
    const res = await h.request('POST', '/api/session', { key: null, json: { key: ADMIN_KEY } })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ id: 'admin', name: 'administrator (ADMIN_API_KEY)', admin: true })
    const cookie = res.headers.get('set-cookie')!
    expect(cookie).toMatch(/^dd_session=[\w.-]+; Path=\/; Max-Age=43200; HttpOnly; SameSite=Strict$/)
    expect(cookie).not.toContain(ADMIN_KEY)
    expect(res.headers.get('cache-control')).toBe('no-store')
  })

  test('the cookie works in place of the header, for JSON routes and event streams', async () => {
    const { key, id } = (await h.request('POST', '/api/keys', { json: { name: 'browser' } })).body
    const cookie = await signIn(key)
    expect((await h.request('GET', '/api/session', withCookie(cookie))).body).toEqual({
      id,
      name: 'browser',
      admin: false,
    })
    const created = await h.request('POST', '/api/datasets', { ...withCookie(cookie), json: { name: 'from the page' } })
    expect(created.status).toBe(201)
    expect((await h.request('GET', '/api/datasets', withCookie(cookie))).body.data).toHaveLength(1)
    const stream = await h.app.handle(new Request('http://localhost/api/events', { headers: { cookie } }))
    expect(stream.status).toBe(200)
    const reader = new SseReader(stream)
    expect(await reader.next(f => f.retry !== undefined)).not.toBeNull()
    await reader.cancel()
  })

  test('a change made with the cookie from another site is refused; from this site it goes through', async () => {
    const cookie = await signIn(ADMIN_KEY)
    const crossSite: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { origin: 'null' },
    ]
    for (const headers of crossSite) {
      const res = await h.request('POST', '/api/datasets', { ...withCookie(cookie, headers), json: { name: 'csrf' } })
      expect(res.status, JSON.stringify(headers)).toBe(403)
      expect(res.body.code).toBe('CROSS_SITE_REQUEST')
    }
    const names = (await h.request('GET', '/api/datasets')).body.data.map((d: { name: string }) => d.name)
    expect(names).not.toContain('csrf')
    // reading is harmless, and a same-origin change passes
    expect(
      (await h.request('GET', '/api/datasets', withCookie(cookie, { origin: 'https://evil.example' }))).status,
    ).toBe(200)
    const same = await h.request('POST', '/api/datasets', {
      ...withCookie(cookie, { origin: 'http://localhost', 'sec-fetch-site': 'same-origin' }),
      json: { name: 'same site' },
    })
    expect(same.status).toBe(201)
  })

  test('signing in and out work with a trailing slash too', async () => {
    expect((await h.request('POST', '/api/session/', { key: null, json: { key: ADMIN_KEY } })).status).toBe(200)
    expect((await h.request('DELETE', '/api/session/', { key: null })).status).toBe(204)
    expect((await h.request('GET', '/api/session/', { key: null })).status).toBe(401)
  })

  test('signing out clears the cookie; a bad key, a forged or tampered cookie, or a revoked key’s session are 401', async () => {
    const signedOut = await h.request('DELETE', '/api/session', { key: null })
    expect(signedOut.status).toBe(204)
    expect(signedOut.headers.get('set-cookie')).toBe('dd_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict')
    expect((await h.request('POST', '/api/session', { key: null, json: { key: 'dd_nope' } })).status).toBe(401)
    const { key, id } = (await h.request('POST', '/api/keys', { json: { name: 'short-lived' } })).body
    const cookie = await signIn(key)
    const [name, value] = cookie.split('=') as [string, string]
    const [principal, expiry, tag, session, signature] = value.split('.')
    const forged = [
      `${name}=admin.${expiry}.${tag}.${session}.${signature}`,
      `${name}=${principal}.${Number(expiry) + 86_400_000}.${tag}.${session}.${signature}`,
      `${name}=${principal}.${expiry}.${tag}.${session}.${'A'.repeat(43)}`,
      `${name}=garbage`,
    ]
    for (const bad of forged) expect((await h.request('GET', '/api/datasets', withCookie(bad))).status).toBe(401)
    expect((await h.request('GET', '/api/datasets', withCookie(cookie))).status).toBe(200)
    await h.request('DELETE', `/api/keys/${id}`)
    expect((await h.request('GET', '/api/datasets', withCookie(cookie))).status).toBe(401)
  })

  test('a session from a rotated ADMIN_API_KEY is no longer accepted', async () => {
    const cookie = await signIn(ADMIN_KEY)
    // api processes of the same deployment (the same database, Redis and session secret)
    const redis = createRedis(h.config.redisUrl, 'api')
    await new Promise(ready => redis.once('ready', ready))
    const processWith = (adminApiKey: string) =>
      createApp({
        config: { ...h.config, adminApiKey },
        db: h.db,
        redis,
        queue: h.queue,
        events: h.events,
        streams: h.streams,
        log: createLogger('silent'),
      })
    const list = (app: ReturnType<typeof createApp>) =>
      app.handle(new Request('http://localhost/api/datasets', { headers: { cookie } }))
    try {
      expect((await list(processWith(ADMIN_KEY))).status).toBe(200)
      expect((await list(processWith('a-brand-new-admin-key-0123'))).status).toBe(401)
    } finally {
      redis.disconnect()
    }
  })
})
