import { waitFor } from '../../../support/harness'
import { watchRss } from '../../../support/rss'
import { SseReader } from '../../../support/sse-client'
import { fmt } from '../services'
import { type Answer, bytes, type HostileCase, type HostileContext, MiB, readResponse } from './case'

const KEYS = 100_000
/** About 1.3 MB of CSV whose first column is a unique key: a group-by on it makes a group per row. */
const UNIQUE_KEYS_CSV = `key,value\n${Array.from({ length: KEYS }, (_, i) => `k${i},${(i % 1000) / 8}\n`).join('')}`
const FILE = `${fmt(UNIQUE_KEYS_CSV.length / 1e6, 1)} MB file of ${fmt(KEYS, 0)} unique keys`

type Task = { id: string; status: string; error: string | null }

const groupByKey = (maxGroups?: number) => ({
  kind: 'groupby',
  params: {
    by: ['key'],
    aggregations: ['sum', 'mean', 'max'].map(fn => ({ column: 'value', fn })),
    ...(maxGroups === undefined ? {} : { max_groups: maxGroups }),
  },
})

/** An ordinary key with a dataset holding the unique-key file. */
async function keyWithData(context: HostileContext) {
  const key = await context.client.newKey('attacker')
  const dataset = await context.client.dataset({ key })
  const res = await context.client.putData(dataset, 'text/csv', UNIQUE_KEYS_CSV, { key })
  if (res.status !== 200) throw new Error(`the upload answered ${res.status}`)
  return { key, dataset }
}

const submit = async (context: HostileContext, key: string, dataset: string, body: unknown) => {
  const res = await context.client.json<Task>('POST', `/api/datasets/${dataset}/process`, body, key)
  if (res.status !== 202) throw new Error(`the submit answered ${res.status}`)
  return res.body.id
}

const FINAL = new Set(['completed', 'failed', 'cancelled'])

/** Polls a task (without its result, through the list) until it has ended. */
const ended = (context: HostileContext, key: string, dataset: string, id: string) =>
  waitFor(
    async () => {
      const page = await context.client.get<{ data: Task[] }>(`/api/tasks?dataset_id=${dataset}&limit=500`, key)
      const task = page.body.data.find(t => t.id === id)
      return task && FINAL.has(task.status) ? task : null
    },
    120_000,
    `task ${id} to end`,
  )

/** Item 4: results that grow with the data, and pages of them. */
export const RESULT_CASES: HostileCase[] = [
  {
    name: `GET /api/tasks?limit=10 after 10 group-bys (3 aggregations, max_groups ${fmt(100_000, 0)}) on a unique key of a ${FILE}`,
    worker: true,
    async run(context): Promise<Answer> {
      const { key, dataset } = await keyWithData(context)
      const ids: string[] = []
      for (let i = 0; i < 10; i++) ids.push(await submit(context, key, dataset, groupByKey(100_000)))
      for (const id of ids) {
        const task = await ended(context, key, dataset, id)
        if (task.status !== 'completed') throw new Error(`a group-by ended ${task.status}: ${task.error}`)
      }
      const page = await context.measure(async () => {
        const { answer, size } = await readResponse(await context.client.send('GET', '/api/tasks?limit=10', { key }))
        return { answer, note: `page ${bytes(size)}` }
      })
      let results = 0
      for (const id of ids)
        results += (await readResponse(await context.client.send('GET', `/api/tasks/${id}`, { key }))).size
      return {
        ...page,
        note: `${page.note}; the ten tasks read one by one, with their results: ${fmt(results / MiB, 1)} MiB`,
      }
    },
  },
  {
    name: `group-by past max_groups (default 10,000) on the ${FILE}: POST until the task failed`,
    worker: true,
    async run(context): Promise<Answer> {
      const { key, dataset } = await keyWithData(context)
      if (!context.worker) throw new Error('this case needs a worker')
      const worker = watchRss(context.worker.proc.pid)
      const outcome = await context.measure(async () => {
        const id = await submit(context, key, dataset, groupByKey())
        // the task's own event stream says when it ends, without polling the api meanwhile
        const events = new SseReader(await context.client.send('GET', `/api/tasks/${id}/events`, { key }))
        const end = await events.next(frame => FINAL.has(frame.event ?? ''), 120_000)
        await events.cancel()
        const task = end?.data as Task | undefined
        return { answer: `task ${task?.status}`, note: task?.error ? `error "${task.error.slice(0, 48)}…"` : '' }
      })
      const growth = `worker peak RSS growth +${fmt(worker.stop().growth / MiB, 0)} MB`
      return { ...outcome, note: [outcome.note, growth].filter(Boolean).join('; ') }
    },
  },
]
