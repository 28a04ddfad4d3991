import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { createHarness, type Harness, waitFor } from '../../support/harness'
import { type PrivateRedis, startPrivateRedis } from '../../support/private-redis'
import { type Child, envOf, startApi } from '../../support/processes'
import { SseReader } from '../../support/sse-client'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(30_000)

const children: Child[] = []
afterAll(async () => {
  await Promise.all(children.map(child => child.stop('SIGKILL')))
})

/** Signs in on an api and answers the cookie pair a browser would send back. */
async function signIn(url: string, key: string): Promise<string> {
  const res = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ key }),
  })
  expect(res.status).toBe(200)
  return res.headers.get('set-cookie')!.split(';')[0]!
}

const withCookie = (cookie: string) => ({ headers: { cookie } })

describe('signing out', () => {
  let h: Harness
  let other: Child & { url: string }
  let key: string
  beforeAll(async () => {
    h = await createHarness()
    key = (await h.request('POST', '/api/keys', { json: { name: 'browser' } })).body.key
    // Another api process on the same database and Redis, without SESSION_SECRET: it signs and
    // verifies with the secret kept in PostgreSQL, as the harness's app does.
    other = await startApi(envOf(h.config))
    children.push(other)
  })
  afterAll(() => h.close())

  test('ends the session at once in every api process, and the streams opened with it', async () => {
    const cookie = await signIn(other.url, key)
    const here = (path: string) => h.app.handle(new Request(`http://localhost${path}`, withCookie(cookie)))
    const there = (path: string) => fetch(`${other.url}${path}`, withCookie(cookie))
    expect((await here('/api/datasets')).status).toBe(200)
    expect((await there('/api/datasets')).status).toBe(200)
    const stream = new SseReader(await there('/api/events'))
    await stream.next(f => f.retry !== undefined)
    const kept = await signIn(other.url, key)

    const out = await h.app.handle(
      new Request('http://localhost/api/session', { method: 'DELETE', ...withCookie(cookie) }),
    )
    expect(out.status).toBe(204)
    expect(out.headers.get('set-cookie')).toStartWith('dd_session=; Path=/; Max-Age=0')
    for (const res of [await here('/api/datasets'), await there('/api/datasets'), await there('/api/session')]) {
      expect(res.status).toBe(401)
      expect(((await res.json()) as { code: string }).code).toBe('UNAUTHORIZED')
    }
    expect(await stream.next(() => false, 5000)).toBeNull()
    // another session of the same key lives on
    expect((await fetch(`${other.url}/api/datasets`, withCookie(kept))).status).toBe(200)
  })

  test('signing out without a session, or with a cookie that is not ours, only clears the cookie', async () => {
    for (const headers of [{}, { cookie: 'dd_session=garbage' }] as Record<string, string>[]) {
      const res = await fetch(`${other.url}/api/session`, { method: 'DELETE', headers })
      expect(res.status).toBe(204)
      expect(res.headers.get('set-cookie')).toStartWith('dd_session=;')
    }
  })
})

describe('sessions while Redis is down', () => {
  let redis: PrivateRedis
  let h: Harness
  let api: Child & { url: string }
  beforeAll(async () => {
    redis = await startPrivateRedis()
    h = await createHarness({ REDIS_URL: redis.url })
    api = await startApi(envOf(h.config))
    children.push(api)
  })
  afterAll(async () => {
    await api.stop('SIGKILL')
    await redis.kill()
    redis.admin.disconnect()
    await h.close()
  })

  test('cookies are refused with 503 (never trusted unchecked), keys keep working, and Redis losing its data signs everyone out', async () => {
    const key = (await h.request('POST', '/api/keys', { json: { name: 'through redis' } })).body.key as string
    const cookie = await signIn(api.url, key)
    expect((await fetch(`${api.url}/api/datasets`, withCookie(cookie))).status).toBe(200)

    await redis.kill()
    await waitFor(async () => (await fetch(`${api.url}/ready`)).status === 503, 10_000, '/ready to notice')
    const refused = await fetch(`${api.url}/api/datasets`, withCookie(cookie))
    expect(refused.status).toBe(503)
    expect(((await refused.json()) as { code: string }).code).toBe('DEPENDENCY_UNAVAILABLE')
    const signIn503 = await fetch(`${api.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key }),
    })
    expect(signIn503.status).toBe(503)
    const out = await fetch(`${api.url}/api/session`, { method: 'DELETE', ...withCookie(cookie) })
    expect(out.status).toBe(503)
    expect(((await out.json()) as { code: string }).code).toBe('SESSION_NOT_ENDED')
    expect(out.headers.get('set-cookie')).toStartWith('dd_session=;')
    const byKey = await fetch(`${api.url}/api/datasets`, { headers: { authorization: `Bearer ${key}` } })
    expect(byKey.status).toBe(200)

    // this Redis keeps nothing on disk: back up empty, it knows no session
    await redis.start()
    await waitFor(async () => (await fetch(`${api.url}/ready`)).status === 200, 20_000, 'the api to reconnect')
    expect((await fetch(`${api.url}/api/datasets`, withCookie(cookie))).status).toBe(401)
  }, 60_000)
})
