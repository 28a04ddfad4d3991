import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { createHarness, type Harness, waitFor } from '../../support/harness'
import { envOf, runToEnd } from '../../support/processes'
import { SseReader } from '../../support/sse-client'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(30_000)

let h: Harness
beforeAll(async () => {
  h = await createHarness()
})
afterAll(() => h.close())

const createKey = async (name: string, admin = false) => {
  const res = await h.request('POST', '/api/keys', { json: { name, admin } })
  expect(res.status).toBe(201)
  return res.body as { id: string; name: string; admin: boolean; key: string; created_at: string }
}

describe('API keys', () => {
  test('an admin creates a key, shown once; lists show no secret; the key works at once', async () => {
    const created = await createKey('analyst')
    expect(created).toMatchObject({ name: 'analyst', admin: false, revoked_at: null })
    expect(created.key).toMatch(/^dd_[A-Za-z0-9_-]{43}$/)
    const list = await h.request('GET', '/api/keys')
    const listed = list.body.data.find((k: { id: string }) => k.id === created.id)
    expect(listed).toEqual({
      id: created.id,
      name: 'analyst',
      admin: false,
      created_at: created.created_at,
      revoked_at: null,
    })
    expect(list.text).not.toContain(created.key)
    const stored = await h.db.$client`select secret_hash from api_keys where id = ${created.id}`
    expect(Buffer.from(stored[0]!.secret_hash).toString()).not.toContain(created.key)
    expect((await h.request('GET', '/api/datasets', { key: created.key })).status).toBe(200)
  })

  test('key administration is for admins: a non-admin key gets 403 on every key route', async () => {
    const { key, id } = await createKey('plain')
    expect((await h.request('POST', '/api/keys', { key, json: { name: 'x' } })).status).toBe(403)
    expect((await h.request('GET', '/api/keys', { key })).status).toBe(403)
    const revoke = await h.request('DELETE', `/api/keys/${id}`, { key })
    expect(revoke.status).toBe(403)
    expect(revoke.body).toMatchObject({ status: 403, code: 'ADMIN_ONLY' })
    const admin = await createKey('second admin', true)
    expect((await h.request('GET', '/api/keys', { key: admin.key })).status).toBe(200)
  })

  test('a revoked key is refused at once, and its open event streams end', async () => {
    const { key, id } = await createKey('leaving')
    expect((await h.request('GET', '/api/datasets', { key })).status).toBe(200)
    const stream = new SseReader(
      await h.app.handle(new Request('http://localhost/api/events', { headers: { authorization: `Bearer ${key}` } })),
    )
    await stream.next(f => f.retry !== undefined)
    expect(h.streams.countFor(id)).toBe(1)
    expect((await h.request('DELETE', `/api/keys/${id}`)).status).toBe(204)
    const refused = await h.request('GET', '/api/datasets', { key })
    expect(refused.status).toBe(401)
    expect(refused.body.code).toBe('UNAUTHORIZED')
    expect(await stream.next(() => false, 5000)).toBeNull()
    expect(h.streams.countFor(id)).toBe(0)
    const listed = (await h.request('GET', '/api/keys')).body.data.find((k: { id: string }) => k.id === id)
    expect(listed.revoked_at).toBeString()
    expect((await h.request('DELETE', '/api/keys/00000000-0000-4000-8000-000000000000')).status).toBe(404)
    expect((await h.request('DELETE', '/api/keys/not-a-uuid')).status).toBe(404)
  })

  test('a revocation announced by another process evicts the cached key here too', async () => {
    const { key, id } = await createKey('cached')
    expect((await h.request('GET', '/api/datasets', { key })).status).toBe(200)
    // as another api process would: revoke in PostgreSQL and announce it on Redis
    await h.db.$client`update api_keys set revoked_at = now() where id = ${id}`
    const publisher = (await import('ioredis')).Redis
    const redis = new publisher(h.config.redisUrl)
    await redis.publish(`${h.config.queuePrefix}:key-revocations`, id)
    redis.disconnect()
    await waitFor(async () => (await h.request('GET', '/api/datasets', { key })).status === 401, 5000, 'the 401')
  })

  test('missing, garbled or unknown credentials are 401 problems that say what to send', async () => {
    const cases: [Record<string, string>, string][] = [
      [{}, 'This route needs an API key'],
      [{ authorization: 'Basic dXNlcjpwYXNz' }, 'The Authorization header must be `Bearer <key>`'],
      [{ authorization: 'Bearer' }, 'The Authorization header must be `Bearer <key>`'],
      [{ authorization: 'Bearer a b' }, 'The Authorization header must be `Bearer <key>`'],
      [{ authorization: `Bearer dd_${'x'.repeat(43)}` }, 'The API key is not valid or was revoked'],
      [{ authorization: `Bearer ${'x'.repeat(10_000)}` }, 'The API key is not valid or was revoked'],
    ]
    for (const [headers, detail] of cases) {
      const res = await h.request('GET', '/api/datasets', { key: null, headers })
      expect(res.status).toBe(401)
      expect(res.headers.get('content-type')).toBe('application/problem+json')
      expect(res.headers.get('www-authenticate')).toBe('Bearer')
      expect(res.body).toMatchObject({ status: 401, code: 'UNAUTHORIZED' })
      expect(res.body.detail).toStartWith(detail)
    }
    // unknown routes do not say they are unknown to a caller without a key
    expect((await h.request('GET', '/api/no-such-route', { key: null })).status).toBe(401)
    // health, readiness and the docs need no key
    for (const path of ['/health', '/ready', '/swagger', '/swagger/json'])
      expect((await h.request('GET', path, { key: null })).status).toBe(200)
  })
})

describe('bun run cli keys', () => {
  const cli = (...args: string[]) => runToEnd(['run', 'src/cli/main.ts', 'keys', ...args], envOf(h.config))

  test('create prints the key once; list shows it without the secret; revoke ends it', async () => {
    const created = cli('create', '--name', 'from the shell', '--admin')
    expect(created.exitCode).toBe(0)
    const out = created.stdout
    const key = /dd_[A-Za-z0-9_-]{43}/.exec(out)![0]
    const id = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/.exec(out)![0]
    expect((await h.request('GET', '/api/keys', { key })).status).toBe(200)
    const listed = cli('list')
    expect(listed.exitCode).toBe(0)
    expect(listed.stdout).toContain(id)
    expect(listed.stdout).toContain('from the shell')
    expect(listed.stdout).not.toContain(key)
    expect(cli('revoke', id).exitCode).toBe(0)
    // the announcement reaches this process through Redis within moments
    await waitFor(async () => (await h.request('GET', '/api/keys', { key })).status === 401, 2000, 'the 401')
    const bad = cli('create')
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toContain('--name')
  })
})
