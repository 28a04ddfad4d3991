import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { countRows, dataSnapshot } from '../../support/datasets'
import { createHarness, type Harness } from '../../support/harness'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(30_000)

/** About 4.3 kB of stored data per 100-row chunk. */
const QUOTA = 20_000

let h: Harness
beforeAll(async () => {
  h = await createHarness({ MAX_STORAGE_BYTES_PER_KEY: String(QUOTA), CHUNK_ROWS: '100', MAX_UPLOADS_PER_KEY: '2' })
})
afterAll(() => h.close())

const encoder = new TextEncoder()
const csvRows = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => `${from + i},row-${from + i}-xxxxxxxxxxxx\n`).join('')
const csv = (n: number) => `n,label\n${csvRows(n)}`

const create = (key: string, rows: number) =>
  h.request('POST', '/api/datasets', { key, json: { name: `${rows} rows`, csv: csv(rows) } })

const put = (key: string, dataset: string, body: BodyInit) =>
  h.request('PUT', `/api/datasets/${dataset}/data`, { key, body, headers: { 'content-type': 'text/csv' } })

const stored = async (key: string) =>
  (await h.request('GET', '/api/datasets', { key })).body.data.reduce(
    (sum: number, d: { size_bytes: number }) => sum + d.size_bytes,
    0,
  )

describe('MAX_STORAGE_BYTES_PER_KEY', () => {
  test('an upload that would take a key past its quota is refused with a 413 naming it, and changes nothing', async () => {
    const key = await h.newKey('filling')
    const first = await create(key, 300)
    expect(first.status).toBe(201)
    expect(first.body.size_bytes).toBeLessThan(QUOTA)
    const datasets = await countRows(h, 'datasets')
    const refused = await create(key, 200)
    expect(refused.status).toBe(413)
    expect(refused.headers.get('content-type')).toBe('application/problem+json')
    expect(refused.body).toMatchObject({
      status: 413,
      code: 'STORAGE_QUOTA_EXCEEDED',
      detail: `This upload would take what this key stores past its quota of ${QUOTA} bytes (MAX_STORAGE_BYTES_PER_KEY; ${first.body.size_bytes} bytes are stored in its other datasets); nothing was stored. Delete datasets to make room.`,
    })
    expect(await countRows(h, 'datasets')).toBe(datasets)

    const empty = (await h.request('POST', '/api/datasets', { key, json: { name: 'empty' } })).body.id
    const before = await dataSnapshot(h, empty)
    expect((await put(key, empty, csv(200))).status).toBe(413)
    expect(await dataSnapshot(h, empty)).toEqual(before)
    // a smaller one still fits, and deleting makes room
    expect((await put(key, empty, csv(50))).status).toBe(200)
    expect(await stored(key)).toBeLessThanOrEqual(QUOTA)
    expect((await h.request('DELETE', `/api/datasets/${first.body.id}`, { key })).status).toBe(204)
    expect((await create(key, 200)).status).toBe(201)
  })

  test('is refused while the body still streams, as soon as the stored chunks pass the quota', async () => {
    const key = await h.newKey('streaming')
    const dataset = (await h.request('POST', '/api/datasets', { key, json: { name: 'big' } })).body.id
    // 10,000 rows in pieces of 50: ten times the quota, if it were all read
    let pulled = 0
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          if (pulled === 200) return controller.close()
          controller.enqueue(encoder.encode(pulled === 0 ? `n,label\n${csvRows(50)}` : csvRows(50, pulled * 50)))
          pulled++
        },
      },
      { highWaterMark: 0 },
    )
    const res = await put(key, dataset, body)
    expect(res.status).toBe(413)
    expect(res.body.code).toBe('STORAGE_QUOTA_EXCEEDED')
    expect(pulled).toBeLessThan(20)
    expect((await h.request('GET', `/api/datasets/${dataset}`, { key })).body).toMatchObject({
      status: 'empty',
      size_bytes: 0,
    })
  })

  test("replacing a dataset's data counts the new data in place of the old", async () => {
    const key = await h.newKey('replacing')
    const dataset = (await create(key, 300)).body
    expect(dataset.size_bytes * 2).toBeGreaterThan(QUOTA)
    const replaced = await put(key, dataset.id, csv(300))
    expect(replaced.status).toBe(200)
    expect(await stored(key)).toBe(replaced.body.size_bytes)
  })

  test('two uploads of one key at once cannot together pass the quota, even ending at the same moment', async () => {
    const key = await h.newKey('twice')
    const ids = await Promise.all(
      ['a', 'b'].map(async name => (await h.request('POST', '/api/datasets', { key, json: { name } })).body.id),
    )
    // each sends 300 rows (about 13 kB, under the quota alone), then waits
    const gates = ids.map(() => Promise.withResolvers<void>())
    const reading = ids.map(() => Promise.withResolvers<void>())
    const bodies = ids.map((_, i) => {
      let piece = 0
      return new ReadableStream<Uint8Array>(
        {
          async pull(controller) {
            piece++
            if (piece === 1) {
              controller.enqueue(encoder.encode(csv(300)))
              reading[i]!.resolve()
            } else if (piece === 2) {
              await gates[i]!.promise
              controller.close()
            }
          },
        },
        { highWaterMark: 0 },
      )
    })
    const uploads = ids.map((id, i) => put(key, id, bodies[i]!))
    await Promise.all(reading.map(r => r.promise))
    for (const gate of gates) gate.resolve()
    const answers = await Promise.all(uploads)
    expect(answers.map(a => a.status).sort()).toEqual([200, 413])
    const kept = answers.find(a => a.status === 200)!
    expect(answers.find(a => a.status === 413)!.body.code).toBe('STORAGE_QUOTA_EXCEEDED')
    expect(await stored(key)).toBe(kept.body.size_bytes)
  })

  test('administrators are not limited', async () => {
    const res = await h.request('POST', '/api/datasets', { json: { name: 'admin data', csv: csv(1000) } })
    expect(res.status).toBe(201)
    expect(res.body.size_bytes).toBeGreaterThan(QUOTA)
  })
})
