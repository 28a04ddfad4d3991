import { heldBody } from '../../../support/datasets'
import { fmt } from '../services'
import { uploadCsv } from '../upload-csv'
import { type Answer, type HostileCase, type HostileContext, readResponse, tally } from './case'

/**
 * A CSV body that sends its header, then one byte every `everyMs` until `signal` aborts: never
 * idle for long, never done. `reading` settles once the server has begun to read it.
 */
function dribble(everyMs: number, signal: AbortSignal) {
  const encoder = new TextEncoder()
  const pattern = encoder.encode('1,x\n')
  let sent = 0
  let startedReading!: () => void
  const reading = new Promise<void>(resolve => {
    startedReading = resolve
  })
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (sent === 0) {
          controller.enqueue(encoder.encode('a,b\n'))
          startedReading()
        } else {
          await Bun.sleep(everyMs)
          if (signal.aborted) return controller.close()
          controller.enqueue(pattern.subarray(sent % pattern.length, (sent % pattern.length) + 1))
        }
        sent++
      },
    },
    { highWaterMark: 0 },
  )
  return { body, reading }
}

async function dribblersAndAnother(context: HostileContext): Promise<Answer> {
  const { client } = context
  const [dribbler, other] = [await client.newKey('dribbler'), await client.newKey('someone else')]
  const stop = new AbortController()
  const signal = AbortSignal.any([stop.signal, context.signal])
  try {
    // Both are sent at once; each either holds a slot (its body is read) or is answered.
    const answers: string[] = []
    const dribbles = await Promise.all(
      [1, 2].map(async () => {
        const body = dribble(500, signal)
        const dataset = await client.dataset({ key: dribbler })
        const answered = client
          .putData(dataset, 'text/csv', body.body, { key: dribbler, signal })
          .then(async res => answers.push((await readResponse(res)).answer))
          .catch(() => {})
        return Promise.race([body.reading, answered])
      }),
    )
    await Promise.all(dribbles)
    const { path } = await uploadCsv(10_000)
    const dataset = await client.dataset({ key: other })
    const answer = await context.measure(() =>
      client.putData(dataset, 'text/csv', Bun.file(path).stream(), { key: other, signal }),
    )
    const held = 2 - answers.length
    return {
      ...answer,
      note: `the dribbling key's uploads: ${held} held${answers.length ? `, ${tally(answers)}` : ''}`,
    }
  } finally {
    stop.abort()
  }
}

async function idleBody(context: HostileContext): Promise<Answer> {
  const key = await context.client.newKey('idle')
  const dataset = await context.client.dataset({ key })
  const held = heldBody()
  return context.measure(() => context.client.putData(dataset, 'text/csv', held.body, { key, signal: context.signal }))
}

const CAP = 5
const SUBMITS = 30

async function parallelSubmits(context: HostileContext): Promise<Answer> {
  const key = await context.client.newKey('submitter')
  const dataset = await context.client.dataset({ key, rows: [{ x: 1 }] })
  const outcome = await context.measure(async () => {
    const answers = await Promise.all(
      Array.from(
        { length: SUBMITS },
        async () =>
          (await readResponse(await context.client.send('POST', `/api/datasets/${dataset}/process`, { key }))).answer,
      ),
    )
    return { answer: tally(answers) }
  })
  const pending = await context.client.get<{ data: unknown[] }>(`/api/tasks?status=pending&limit=500`, key)
  return { ...outcome, note: `tasks pending afterwards: ${pending.body.data.length}` }
}

async function pastQuota(context: HostileContext): Promise<Answer> {
  const key = await context.client.newKey('hoarder')
  const dataset = await context.client.dataset({ key })
  const { path, bytes } = await uploadCsv(1_000_000)
  const outcome = await context.measure(() =>
    context.client.putData(dataset, 'text/csv', Bun.file(path).stream(), { key, signal: context.signal }),
  )
  return { ...outcome, note: `of a ${fmt(bytes / 1e6, 0)} MB body` }
}

/** Items 6, 7 and 15: what one key can take from the others. */
export const FAIR_SHARE_CASES: HostileCase[] = [
  {
    name: "two uploads of one key sending a byte every 0.5 s: another key's 1 MB upload",
    run: dribblersAndAnother,
  },
  {
    name: 'an upload whose body stops sending (BODY_IDLE_TIMEOUT_MS set to 2,000 for this case; the default is 20 s)',
    env: { BODY_IDLE_TIMEOUT_MS: '2000' },
    run: idleBody,
  },
  {
    name: `${SUBMITS} submits at once by one key against MAX_PENDING_TASKS_PER_KEY=${CAP} (no worker: tasks stay pending)`,
    env: { MAX_PENDING_TASKS_PER_KEY: String(CAP) },
    run: parallelSubmits,
  },
  {
    name: 'an upload past MAX_STORAGE_BYTES_PER_KEY (set to 1 MiB for this case): a 1 M-row CSV',
    env: { MAX_STORAGE_BYTES_PER_KEY: String(1024 * 1024) },
    run: pastQuota,
  },
]
