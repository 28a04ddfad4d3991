import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test'
import postgres from 'postgres'
import { waitFor } from '../../support/harness'
import { type Child, runToEnd, startApi } from '../../support/processes'
import { createTestDatabase, createTestPrefix, REDIS_URL, type TestDatabase } from '../../support/services'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(60_000)

let database: TestDatabase
const prefix = createTestPrefix()
const children: Child[] = []
beforeAll(async () => {
  database = await createTestDatabase()
})
afterAll(async () => {
  await Promise.all(children.map(child => child.stop('SIGKILL')))
  await database.drop()
  await prefix.clear()
})

const CREATED = 'created an administrator key'
const printedKeys = (child: Child) =>
  child
    .errors()
    .split('\n')
    .filter(line => line.includes(CREATED))
    .map(line => JSON.parse(line) as { key_id: string; key: string })

test('without ADMIN_API_KEY, api processes starting together make one administrator key, printed once, and share one session secret', async () => {
  // no ADMIN_API_KEY and no SESSION_SECRET: what `docker compose up` starts with now
  const env = { DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: prefix.prefix, ADMIN_API_KEY: '' }
  const apis = await Promise.all([startApi(env), startApi(env), startApi(env)])
  children.push(...apis)
  await waitFor(async () => apis.some(api => printedKeys(api).length > 0), 5000, 'the key in a log')
  const printed = apis.flatMap(printedKeys)
  expect(printed).toHaveLength(1)
  const { key, key_id } = printed[0]!
  expect(key).toMatch(/^dd_[A-Za-z0-9_-]{43}$/)

  const sql = postgres(database.url, { max: 1, onnotice: () => {} })
  try {
    const keys = await sql`select id, admin, secret_hash from api_keys`
    expect(keys.map(k => [k.id, k.admin])).toEqual([[key_id, true]])
    expect(Buffer.from(keys[0]!.secret_hash).toString('latin1')).not.toContain(key)
    expect((await sql`select name from instance_settings`).map(r => r.name)).toEqual(['session_secret'])
  } finally {
    await sql.end()
  }

  for (const api of apis)
    expect((await fetch(`${api.url}/api/keys`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200)
  // a session signed by one process is good on every other
  const signIn = await fetch(`${apis[0]!.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ key }),
  })
  const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!
  for (const api of apis) expect((await fetch(`${api.url}/api/session`, { headers: { cookie } })).status).toBe(200)

  // a later start finds the key and says nothing of it; sessions outlive restarts
  const later = await startApi(env)
  children.push(later)
  expect(printedKeys(later)).toEqual([])
  expect((await fetch(`${later.url}/api/session`, { headers: { cookie } })).status).toBe(200)
})

test('the example values that once shipped stop the api before it starts', () => {
  for (const [name, value] of [
    ['ADMIN_API_KEY', 'dd-admin-change-me-please'],
    ['SESSION_SECRET', 'change-me-to-32-or-more-random-characters'],
  ] as const) {
    // an api that starts would run on; this one must stop by itself
    const run = runToEnd(
      ['src/main.ts'],
      { DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: prefix.prefix, [name]: value },
      20_000,
    )
    expect(run.exitCode).not.toBe(0)
    expect(run.stderr).toContain(`${name}: this value was published as an example`)
  }
})
