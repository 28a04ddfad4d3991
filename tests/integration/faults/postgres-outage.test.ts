import { afterAll, beforeAll, expect, setDefaultTimeout, test } from 'bun:test'
import { createHarness, type Harness, taskEnded } from '../../support/harness'
import { type Child, envOf, startWorkerProcess } from '../../support/processes'
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(30_000)

let h: Harness
let proxy: TcpProxy
let worker: Child

beforeAll(async () => {
  h = await createHarness()
  proxy = await startTcpProxy(Number(new URL(h.config.databaseUrl).port || 5432))
  const throughProxy = new URL(h.config.databaseUrl)
  throughProxy.port = String(proxy.port)
  // The worker reaches PostgreSQL only through the proxy; the api (this harness) directly.
  worker = await startWorkerProcess({ ...envOf(h.config), DATABASE_URL: throughProxy.toString() })
})
afterAll(async () => {
  await worker.stop('SIGKILL')
  await proxy.close()
  await h.close()
})

test('PostgreSQL away from the worker for longer than its retries last: tasks wait for it and complete once it is back', async () => {
  const dataset = await h.request('POST', '/api/datasets', { json: { name: 'd', rows: [{ x: 1 }, { x: 4 }] } })
  const warm = await h.request('POST', `/api/datasets/${dataset.body.id}/process`, { json: { kind: 'profile' } })
  expect(await taskEnded(h, warm.body.id)).toMatchObject({ status: 'completed' })

  proxy.cut()
  const submitted = await h.request('POST', `/api/datasets/${dataset.body.id}/process`, { json: { kind: 'profile' } })
  expect(submitted.status).toBe(202)
  // Three attempts with a backoff of 1 s and then 2 s would all be spent by now.
  await Bun.sleep(6000)
  expect((await h.request('GET', `/api/tasks/${submitted.body.id}`)).body.status).toBe('pending')
  const job = await h.queue.getJob(submitted.body.id)
  expect(job!.attemptsMade).toBe(0)
  // It ran several times meanwhile, each time waiting rather than failing.
  expect(job!.attemptsStarted).toBeGreaterThan(1)
  proxy.restore()

  const task = await taskEnded(h, submitted.body.id)
  expect(task).toMatchObject({ status: 'completed', attempts: 1, error: null })
  expect(task.result.row_count).toBe(2)
  expect(worker.proc.exitCode).toBeNull()
})
