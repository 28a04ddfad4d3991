import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { ADMIN_KEY, createHarness, type Harness, waitFor } from '../../support/harness'
import { SseReader } from '../../support/sse-client'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(30_000)

let h: Harness
let alice: string
let bob: string
let aliceData: string
let aliceTask: string
let bobData: string

const key = async (name: string) => (await h.request('POST', '/api/keys', { json: { name } })).body.key as string

const finished = (id: string, as: string) =>
  waitFor(async () => {
    const task = (await h.request('GET', `/api/tasks/${id}`, { key: as })).body
    return ['completed', 'failed', 'cancelled'].includes(task.status) ? task : null
  })

const open = (path: string, as: string) =>
  h.app.handle(new Request(`http://localhost${path}`, { headers: { authorization: `Bearer ${as}` } }))

beforeAll(async () => {
  h = await createHarness()
  await h.startWorker()
  alice = await key('alice')
  bob = await key('bob')
  const rows = [
    { x: 1, g: 'a' },
    { x: 2, g: 'b' },
    { x: 4, g: 'a' },
  ]
  aliceData = (await h.request('POST', '/api/datasets', { key: alice, json: { name: 'alice data', rows } })).body.id
  bobData = (await h.request('POST', '/api/datasets', { key: bob, json: { name: 'bob data', rows } })).body.id
  aliceTask = (await h.request('POST', `/api/datasets/${aliceData}/process`, { key: alice, json: {} })).body.id
  await finished(aliceTask, alice)
})
afterAll(() => h.close())

/** Everything alice can read about her own things, to prove that nothing changed. */
const aliceView = async () => ({
  dataset: (await h.request('GET', `/api/datasets/${aliceData}`, { key: alice })).body,
  rows: (await h.request('GET', `/api/datasets/${aliceData}/rows`, { key: alice })).body,
  task: (await h.request('GET', `/api/tasks/${aliceTask}`, { key: alice })).body,
  tasks: (await h.request('GET', `/api/tasks?dataset_id=${aliceData}`, { key: alice })).body,
})

const withoutRequestId = ({ request_id, ...rest }: Record<string, unknown>) => rest

describe("another owner's things are as unknown as missing ones", () => {
  test('every route answers 404 to bob for alice’s dataset and task, the same 404 as for an id that never existed, and changes nothing', async () => {
    const before = await aliceView()
    const csv = { body: 'x\n9\n', headers: { 'content-type': 'text/csv' } }
    const attempts: [string, string, object?][] = [
      ['GET', `/api/datasets/${aliceData}`],
      ['PUT', `/api/datasets/${aliceData}`, { json: { name: 'mine now' } }],
      ['PATCH', `/api/datasets/${aliceData}`, { json: { name: 'mine now' } }],
      ['GET', `/api/datasets/${aliceData}/rows`],
      ['GET', `/api/datasets/${aliceData}/data`],
      ['PUT', `/api/datasets/${aliceData}/data`, csv],
      ['POST', `/api/datasets/${aliceData}/process`, { json: {} }],
      ['GET', `/api/tasks/${aliceTask}`],
      ['POST', `/api/tasks/${aliceTask}/cancel`],
      ['POST', `/api/tasks/${aliceTask}/retry`],
      ['GET', `/api/tasks/${aliceTask}/events`],
      ['GET', `/api/events?dataset_id=${aliceData}`],
      ['DELETE', `/api/tasks/${aliceTask}`],
      ['DELETE', `/api/datasets/${aliceData}`],
    ]
    const missing = crypto.randomUUID()
    for (const [method, path, options] of attempts) {
      const res = await h.request(method, path, { key: bob, ...options })
      expect(res.status, `${method} ${path}`).toBe(404)
      const unknown = await h.request(method, path.replace(aliceData, missing).replace(aliceTask, missing), {
        key: bob,
        ...options,
      })
      expect(withoutRequestId(res.body), `${method} ${path}`).toEqual(withoutRequestId(unknown.body))
    }
    expect(await aliceView()).toEqual(before)
  })

  test('lists and filters never show bob what is alice’s; the admin sees both', async () => {
    const ids = async (path: string, as?: string) =>
      (await h.request('GET', path, as === undefined ? {} : { key: as })).body.data.map((x: { id: string }) => x.id)
    expect(await ids('/api/datasets', bob)).toEqual([bobData])
    expect(await ids('/api/datasets?q=alice', bob)).toEqual([])
    expect(await ids('/api/tasks', bob)).toEqual([])
    expect(await ids(`/api/tasks?dataset_id=${aliceData}`, bob)).toEqual([])
    expect(await ids('/api/datasets', alice)).toEqual([aliceData])
    expect(await ids('/api/tasks', alice)).toEqual([aliceTask])
    expect((await ids('/api/datasets')).sort()).toEqual([aliceData, bobData].sort())
    expect(await ids('/api/tasks')).toContain(aliceTask)
    expect((await h.request('GET', `/api/datasets/${aliceData}`)).status).toBe(200)
  })

  test('the live stream of every task carries alice’s events to alice and the admin, never to bob', async () => {
    const streams = {
      alice: new SseReader(await open('/api/events', alice)),
      bob: new SseReader(await open('/api/events', bob)),
      admin: new SseReader(await open('/api/events', ADMIN_KEY)),
    }
    for (const reader of Object.values(streams)) await reader.next(f => f.retry !== undefined)
    const task = (await h.request('POST', `/api/datasets/${aliceData}/process`, { key: alice, json: {} })).body.id
    const mine = (await h.request('POST', `/api/datasets/${bobData}/process`, { key: bob, json: {} })).body.id
    const completed = (reader: SseReader, id: string) =>
      reader.next(f => f.event === 'completed' && (f.data as { id: string }).id === id, 15_000)
    expect(await completed(streams.alice, task)).not.toBeNull()
    expect(await completed(streams.admin, task)).not.toBeNull()
    expect(await completed(streams.bob, mine)).not.toBeNull()
    const seenByBob = streams.bob.frames.map(f => (f.data as { id?: string } | undefined)?.id).filter(Boolean)
    expect(seenByBob).not.toContain(task)
    expect(seenByBob).toContain(mine)
    for (const reader of Object.values(streams)) await reader.cancel()
  })
})
