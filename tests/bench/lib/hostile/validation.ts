import { bytes, type HostileCase, type HostileContext, readResponse } from './case'

/**
 * Sends a JSON body as an ordinary key and reports the answer with its size: what the api
 * would have to build and send for a body full of bad values.
 */
async function sendJson(context: HostileContext, path: (dataset: string) => string, body: () => string) {
  const key = await context.client.newKey('attacker')
  const dataset = await context.client.dataset({ key, rows: [{ x: 1 }] })
  const text = body()
  return context.measure(async () => {
    const res = await context.client.send('POST', path(dataset), { key, body: text, type: 'application/json' })
    const { answer, size } = await readResponse(res)
    return { answer, note: `body ${bytes(text.length)}, answer ${bytes(size)}` }
  })
}

const process = (dataset: string) => `/api/datasets/${dataset}/process`
const ones = (n: number) => Array.from({ length: n }, () => 1)

/** Item 3: bodies whose every entry is wrong, so that a validator listing each issue would answer without bound. */
export const VALIDATION_CASES: HostileCase[] = [
  {
    name: 'process: 100,000 bad entries in params.columns (under MAX_PARAMS_BYTES, so validated)',
    run: context =>
      sendJson(context, process, () => JSON.stringify({ kind: 'profile', params: { columns: ones(100_000) } })),
  },
  {
    name: 'create: a 4 MB body of 2,000,000 bad entries in rows',
    run: context =>
      sendJson(
        context,
        () => '/api/datasets',
        () => JSON.stringify({ name: 'x', rows: ones(2_000_000) }),
      ),
  },
  {
    name: 'process: 4 MB of params (2,000,000 bad entries; MAX_PARAMS_BYTES is 1 MiB)',
    run: context =>
      sendJson(context, process, () => JSON.stringify({ kind: 'profile', params: { columns: ones(2_000_000) } })),
  },
]
