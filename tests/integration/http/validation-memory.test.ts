import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { apiClient } from '../../support/api-client'
import { ADMIN_KEY, createHarness, type Harness } from '../../support/harness'
import { type Child, envOf, startApi } from '../../support/processes'
import { MB, watchRss } from '../../support/rss'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(60_000)

let h: Harness
let api: Child & { url: string }
let dataset: string
const headers = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }

beforeAll(async () => {
  h = await createHarness()
  api = await startApi(envOf(h.config))
  dataset = await apiClient(api.url).dataset({ rows: [{ x: 1 }] })
})
afterAll(async () => {
  await api.stop()
  await h.close()
})

/** Sends one request to the api process and watches its RSS until the answer is in. */
async function peakGrowth(method: string, path: string, body: string) {
  const watch = watchRss(api.proc.pid, { everyMs: 5 })
  try {
    const res = await fetch(`${api.url}${path}`, { method, headers, body })
    const text = await res.text()
    return { status: res.status, answerBytes: text.length, body: JSON.parse(text), growth: watch.stop().growth }
  } finally {
    watch.stop()
  }
}

describe('a bad body costs the api what its size does, not what its errors do', () => {
  test('a 4 MB body with 2,000,000 bad entries in params: a small answer, under 200 MB of growth', async () => {
    const body = JSON.stringify({ kind: 'profile', params: { columns: Array.from({ length: 2_000_000 }, () => 1) } })
    expect(body.length).toBeGreaterThan(4_000_000)
    const answer = await peakGrowth('POST', `/api/datasets/${dataset}/process`, body)
    expect(answer).toMatchObject({ status: 422, body: { code: 'LIMIT_EXCEEDED' } })
    expect(answer.answerBytes).toBeLessThan(16 * 1024)
    expect(answer.growth).toBeLessThan(200 * MB)
  })

  test('just under MAX_PARAMS_BYTES, 500,000 bad entries: 64 errors listed, under 200 MB of growth', async () => {
    const body = JSON.stringify({ kind: 'profile', params: { columns: Array.from({ length: 500_000 }, () => 1) } })
    const answer = await peakGrowth('POST', `/api/datasets/${dataset}/process`, body)
    expect(answer).toMatchObject({ status: 422, body: { code: 'VALIDATION_FAILED' } })
    expect(answer.body.errors).toHaveLength(64)
    expect(answer.answerBytes).toBeLessThan(16 * 1024)
    expect(answer.growth).toBeLessThan(200 * MB)
  })

  test('a 16 MB body that fails a route schema in 64 places: under 200 MB of growth', async () => {
    const field = Array.from({ length: 125_000 }, () => 1)
    const fields = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`unknown_${i}`, field]))
    const body = JSON.stringify({ name: 'x', ...fields })
    expect(body.length).toBeGreaterThan(16_000_000)
    const answer = await peakGrowth('PUT', `/api/datasets/${dataset}`, body)
    expect(answer).toMatchObject({ status: 422, body: { code: 'VALIDATION_FAILED' } })
    expect(answer.body.errors).toHaveLength(64)
    expect(answer.growth).toBeLessThan(200 * MB)
  })
})
