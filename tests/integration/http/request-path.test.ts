import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { datasetWithRows } from '../../support/datasets'
import { ADMIN_KEY, createHarness, type Harness } from '../../support/harness'
import { rawRequest } from '../../support/raw-http'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(30_000)

let h: Harness
let port: number
let dataset: string
beforeAll(async () => {
  h = await createHarness()
  dataset = await datasetWithRows(h)
  h.app.listen({ port: 0, hostname: '127.0.0.1' })
  port = h.app.server!.port!
})
afterAll(async () => {
  await h.app.stop()
  await h.close()
})

const SHORT_HOSTS = ['a', 'ab', 'abc', 'a:1']

/** The same request on the wire (raw, with this Host) and through `app.handle`. */
async function both(host: string, target: string, key?: string) {
  const auth = key ? [`Authorization: Bearer ${key}`] : []
  const wire = await rawRequest(port, [`GET ${target} HTTP/1.1`, `Host: ${host}`, ...auth])
  const handled = await h.app.handle(
    new Request(`http://${host}${target}`, { headers: key ? { authorization: `Bearer ${key}` } : {} }),
  )
  return [
    { status: wire.status, code: wire.body ? JSON.parse(wire.body).code : undefined },
    { status: handled.status, code: (await handled.json()).code },
  ]
}

describe('the auth hook and the router read one path', () => {
  test('under a short Host, a path that only ends like an api route is no route, with or without a key', async () => {
    for (const host of SHORT_HOSTS) {
      for (const answer of await both(host, '/zz/api/datasets'))
        expect({ host, ...answer }).toEqual({ host, status: 404, code: 'NOT_FOUND' })
      for (const answer of await both(host, `/zz/api/datasets/${dataset}`, ADMIN_KEY))
        expect({ host, ...answer }).toEqual({ host, status: 404, code: 'NOT_FOUND' })
    }
  })

  test('under a short Host, api routes are found, and need a key', async () => {
    for (const host of SHORT_HOSTS) {
      for (const answer of await both(host, `/api/datasets/${dataset}`, ADMIN_KEY))
        expect({ host, ...answer }).toEqual({ host, status: 200, code: undefined })
      for (const answer of await both(host, `/api/datasets/${dataset}/rows?limit=1`))
        expect({ host, ...answer }).toEqual({ host, status: 401, code: 'UNAUTHORIZED' })
    }
  })
})
