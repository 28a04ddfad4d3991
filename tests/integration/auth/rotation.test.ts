import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { createHarness, type Harness } from '../../support/harness'
import { type Child, envOf, runToEnd, startApi } from '../../support/processes'
import { SseReader } from '../../support/sse-client'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(30_000)

let h: Harness
let other: Child & { url: string }
beforeAll(async () => {
  h = await createHarness()
  other = await startApi(envOf(h.config))
})
afterAll(async () => {
  await other.stop('SIGKILL')
  await h.close()
})

type CreatedKey = { id: string; name: string; admin: boolean; key: string; created_at: string; revoked_at: null }

const createKey = async (name: string, admin = false) => {
  const res = await h.request('POST', '/api/keys', { json: { name, admin } })
  expect(res.status).toBe(201)
  return res.body as CreatedKey
}

const bearer = (key: string) => ({ headers: { authorization: `Bearer ${key}` } })
/** A request to the other api process, which cached what it knew of the key. */
const there = (path: string, key: string) => fetch(`${other.url}${path}`, bearer(key))

async function signIn(key: string): Promise<string> {
  const res = await h.request('POST', '/api/session', { key: null, json: { key } })
  expect(res.status).toBe(200)
  return res.headers.get('set-cookie')!.split(';')[0]!
}

describe('POST /api/keys/{id}/rotate', () => {
  test('an admin gives a key a new secret: the same key and owner; the old secret, its sessions and streams end at once in every api process', async () => {
    const old = await createKey('leaked')
    const dataset = (await h.request('POST', '/api/datasets', { key: old.key, json: { name: 'mine' } })).body.id
    expect((await there('/api/datasets', old.key)).status).toBe(200)
    const cookie = await signIn(old.key)
    const stream = new SseReader(await fetch(`${other.url}/api/events`, bearer(old.key)))
    await stream.next(f => f.retry !== undefined)

    const rotated = await h.request('POST', `/api/keys/${old.id}/rotate`)
    expect(rotated.status).toBe(200)
    const { key: secret, ...rest } = rotated.body as CreatedKey
    expect(rest).toEqual({ id: old.id, name: 'leaked', admin: false, created_at: old.created_at, revoked_at: null })
    expect(secret).toMatch(/^dd_[A-Za-z0-9_-]{43}$/)
    expect(secret).not.toBe(old.key)

    for (const res of [
      await h.request('GET', '/api/datasets', { key: old.key }),
      await there('/api/datasets', old.key).then(async r => ({ status: r.status })),
      await h.request('GET', '/api/datasets', { key: null, headers: { cookie } }),
    ])
      expect(res.status).toBe(401)
    expect(await stream.next(() => false, 5000)).toBeNull()
    // what the key owns stays its own
    const mine = await there(`/api/datasets/${dataset}`, secret)
    expect(mine.status).toBe(200)
    expect(((await mine.json()) as { name: string }).name).toBe('mine')
    expect((await h.request('GET', '/api/datasets', { key: secret })).body.data).toHaveLength(1)
    const stored = await h.db.$client`select count(*)::int as n from api_keys where id = ${old.id}`
    expect(stored[0]!.n).toBe(1)
  })

  test('a key may rotate itself, but no other key; unknown ids are 404 and revoked keys 409', async () => {
    const self = await createKey('self')
    const victim = await createKey('victim')
    const refused = await h.request('POST', `/api/keys/${victim.id}/rotate`, { key: self.key })
    expect(refused.status).toBe(403)
    expect(refused.body).toMatchObject({ status: 403, code: 'ADMIN_ONLY' })
    expect((await h.request('GET', '/api/datasets', { key: victim.key })).status).toBe(200)

    const own = await h.request('POST', `/api/keys/${self.id}/rotate`, { key: self.key })
    expect(own.status).toBe(200)
    expect(own.body.id).toBe(self.id)
    expect((await h.request('GET', '/api/datasets', { key: self.key })).status).toBe(401)
    expect((await h.request('GET', '/api/session', { key: own.body.key })).body).toEqual({
      id: self.id,
      name: 'self',
      admin: false,
    })

    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid'])
      expect((await h.request('POST', `/api/keys/${id}/rotate`)).status).toBe(404)
    await h.request('DELETE', `/api/keys/${victim.id}`)
    const revoked = await h.request('POST', `/api/keys/${victim.id}/rotate`)
    expect(revoked.status).toBe(409)
    expect(revoked.body.code).toBe('KEY_REVOKED')
  })

  test('is in the OpenAPI document with its answers', async () => {
    const doc = (await h.request('GET', '/swagger/json', { key: null })).body
    const operation = doc.paths['/api/keys/{id}/rotate'].post
    expect(operation.summary).toBe('Give a key a new secret (admin, or the key itself)')
    expect(Object.keys(operation.responses).sort()).toEqual(['200', '401', '403', '404', '409', '429'])
  })
})

describe('bun run cli keys rotate', () => {
  test('prints the new secret once; the old one stops working', async () => {
    const old = await createKey('from the shell')
    const run = runToEnd(['run', 'src/cli/main.ts', 'keys', 'rotate', old.id], envOf(h.config))
    expect(run.exitCode).toBe(0)
    const secret = /dd_[A-Za-z0-9_-]{43}/.exec(run.stdout)![0]
    expect((await h.request('GET', '/api/datasets', { key: old.key })).status).toBe(401)
    expect((await h.request('GET', '/api/datasets', { key: secret })).status).toBe(200)
    const unknown = runToEnd(
      ['run', 'src/cli/main.ts', 'keys', 'rotate', '00000000-0000-4000-8000-000000000000'],
      envOf(h.config),
    )
    expect(unknown.exitCode).toBe(1)
    expect(unknown.stderr).toContain('key not found')
  })
})
