import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { countRows, dataSnapshot, heldBody } from '../../support/datasets'
import { ADMIN_KEY, createHarness, type Harness, waitFor } from '../../support/harness'
import { type Child, envOf, startApi } from '../../support/processes'
import { openConnection, type RawConnection } from '../../support/raw-http'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(30_000)

async function keyAndDataset(h: Harness, name: string) {
  const key = await h.newKey(name)
  const dataset = (await h.request('POST', '/api/datasets', { key, json: { name } })).body.id as string
  return { key, dataset }
}

const putAs = (h: Harness, key: string, dataset: string, body: BodyInit) =>
  h.request('PUT', `/api/datasets/${dataset}/data`, { key, body, headers: { 'content-type': 'text/csv' } })

describe('upload slots', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness({ MAX_CONCURRENT_UPLOADS: '2', CHUNK_ROWS: '2' })
  })
  afterAll(() => h.close())

  test('one key holds at most MAX_UPLOADS_PER_KEY of them: a key dribbling uploads leaves the other slot to other keys', async () => {
    const alice = await keyAndDataset(h, 'alice')
    const bob = await keyAndDataset(h, 'bob')
    const held = heldBody()
    const first = putAs(h, alice.key, alice.dataset, held.body)
    await held.reading

    const second = heldBody()
    let read = false
    void second.reading.then(() => {
      read = true
    })
    const refused = await putAs(h, alice.key, alice.dataset, second.body)
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('5')
    expect(refused.body).toMatchObject({
      status: 429,
      code: 'TOO_MANY_UPLOADS',
      detail: 'This key already stores as many uploads at once as one key may (1); wait for one to finish',
    })
    expect(read).toBe(false)
    // inline data and multipart creates count too
    const inline = await h.request('POST', '/api/datasets', { key: alice.key, json: { name: 'i', rows: [{ a: 1 }] } })
    expect(inline.status).toBe(429)
    const form = new FormData()
    form.append('name', 'f')
    form.append('file', new File(['a\n1\n'], 'f.csv', { type: 'text/csv' }))
    expect((await h.request('POST', '/api/datasets', { key: alice.key, body: form })).status).toBe(429)

    const other = await putAs(h, bob.key, bob.dataset, 'a\n1\n2\n')
    expect(other.status).toBe(200)
    expect(other.body.row_count).toBe(2)

    held.finish()
    expect((await first).status).toBe(200)
    // the slot is the key's again once its upload ended
    expect((await putAs(h, alice.key, alice.dataset, 'a\n1\n')).status).toBe(200)
  })
})

describe('a body that stops sending', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness({ BODY_IDLE_TIMEOUT_MS: '300', CHUNK_ROWS: '2' })
  })
  afterAll(() => h.close())

  test('is ended after BODY_IDLE_TIMEOUT_MS with a 408, rolled back, and frees its slot', async () => {
    const { key, dataset } = await keyAndDataset(h, 'slow')
    expect((await putAs(h, key, dataset, 'a,b\n0,w\n')).status).toBe(200)
    const before = await dataSnapshot(h, dataset)
    const stalled = heldBody('a,b\n1,x\n2,y\n3,z\n4,v\n5,u\n')
    const started = performance.now()
    const res = await putAs(h, key, dataset, stalled.body)
    expect(performance.now() - started).toBeLessThan(5000)
    expect(res.status).toBe(408)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    expect(res.body).toMatchObject({
      status: 408,
      title: 'Request Timeout',
      code: 'BODY_IDLE_TIMEOUT',
      detail: 'The request body sent nothing for 0.3 s, so the upload was ended and nothing was stored; send it again',
    })
    expect(await dataSnapshot(h, dataset)).toEqual(before)
    expect((await putAs(h, key, dataset, 'a\n1\n')).status).toBe(200)
  })

  test('in a multipart create too: no dataset is left behind', async () => {
    const key = await h.newKey('form')
    const datasets = await countRows(h, 'datasets')
    const boundary = 'dd-boundary'
    const stalled = heldBody(
      `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nstalled\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="d.csv"\r\nContent-Type: text/csv\r\n\r\na,b\n1,x\n2,y\n3,z\n`,
    )
    const res = await h.request('POST', '/api/datasets', {
      key,
      body: stalled.body,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    })
    expect(res.status).toBe(408)
    expect(res.body.code).toBe('BODY_IDLE_TIMEOUT')
    expect(await countRows(h, 'datasets')).toBe(datasets)
  })
})

describe('over a socket, in a real api process', () => {
  let h: Harness
  let api: Child & { url: string }
  const connections: RawConnection[] = []
  beforeAll(async () => {
    h = await createHarness()
    api = await startApi({
      ...envOf(h.config),
      BODY_IDLE_TIMEOUT_MS: '500',
      SSE_HEARTBEAT_MS: '1000',
      SERVER_IDLE_TIMEOUT_SECONDS: '2',
    })
  })
  afterAll(async () => {
    for (const connection of connections) connection.socket.destroy()
    await api.stop('SIGKILL')
    await h.close()
  })

  const open = () => {
    const connection = openConnection(Number(new URL(api.url).port))
    connections.push(connection)
    return connection
  }

  test('a stalled upload is answered 408 before the server drops the connection; an idle connection closes after SERVER_IDLE_TIMEOUT_SECONDS', async () => {
    const dataset = (await h.request('POST', '/api/datasets', { json: { name: 'raw' } })).body.id
    const upload = open()
    upload.socket.write(
      `PUT /api/datasets/${dataset}/data HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN_KEY}\r\nContent-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\nc\r\na,b\n1,x\n2,y\n\r\n`,
    )
    // a kept-alive connection that goes quiet after its answer
    const idle = open()
    idle.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n')
    await waitFor(async () => upload.received().includes('BODY_IDLE_TIMEOUT'), 1900, 'the 408 within the idle timeout')
    expect(upload.received()).toStartWith('HTTP/1.1 408')
    await waitFor(async () => idle.received().startsWith('HTTP/1.1 200'), 5000, 'the health answer')
    const answered = performance.now()
    // Elysia's own default would keep it 30 s
    const closedIn = await Promise.race([idle.closed.then(() => performance.now() - answered), Bun.sleep(15_000)])
    expect(closedIn).toBeLessThan(15_000)
  })
})
