import { ADMIN_KEY } from '../../../support/harness'
import { rawRequest } from '../../../support/raw-http'
import { fmt } from '../services'
import { type Answer, type HostileCase, type HostileContext, readResponse, tally } from './case'

const cursor = (time: string) => Buffer.from(`${time}|00000000-0000-4000-8000-000000000000`).toString('base64url')
const ODD_TIMES = ['+275760-09-13T00:00:00.000Z', '0000-01-01T00:00:00.000Z', '-000001-01-01T00:00:00.000Z']

type OddRequest = { method: string; path: string; body?: string; type?: string; key?: string }

/** Item 8: every request that answered 500 before, one after another, each answered on its own. */
async function oddValues(context: HostileContext): Promise<Answer> {
  const key = await context.client.newKey('odd')
  const dataset = await context.client.dataset({ key, rows: [{ x: 1 }] })
  const json = (method: string, path: string, body: unknown, as = key): OddRequest => ({
    method,
    path,
    body: JSON.stringify(body),
    type: 'application/json',
    key: as,
  })
  const requests: OddRequest[] = [
    // keys are listed and made by administrators only: an ordinary key would be refused before its values are read
    ...ODD_TIMES.flatMap(time => [
      { method: 'GET', path: `/api/datasets?cursor=${cursor(time)}` },
      { method: 'GET', path: `/api/tasks?cursor=${cursor(time)}` },
      { method: 'GET', path: `/api/keys?cursor=${cursor(time)}`, key: ADMIN_KEY },
    ]),
    json('PATCH', `/api/datasets/${dataset}`, {}),
    json('POST', '/api/datasets', { name: 'a\u0000b' }),
    json('PATCH', `/api/datasets/${dataset}`, { description: 'a\u0000b' }),
    { method: 'GET', path: '/api/datasets?q=a%00b' },
    {
      method: 'PUT',
      path: `/api/datasets/${dataset}/data`,
      body: '{"a":1,"b\\u0000":2}\n',
      type: 'application/x-ndjson',
    },
    json('POST', '/api/keys', { name: 'a\u0000b' }, ADMIN_KEY),
    { method: 'GET', path: `/api/datasets/${dataset}/rows?offset=1000000000000000000000000000000` },
  ]
  let slowest = 0
  const outcome = await context.measure(async () => {
    const answers: string[] = []
    for (const request of requests) {
      const start = performance.now()
      const res = await context.client.send(request.method, request.path, { key, ...request })
      answers.push((await readResponse(res)).answer)
      slowest = Math.max(slowest, performance.now() - start)
    }
    return { answer: tally(answers) }
  })
  return {
    ...outcome,
    note: `${requests.length} requests one after another; the slowest answered in ${fmt(slowest, 1)} ms`,
  }
}

/** Item 11: a path that only ends like an api route, under a Host shorter than the router once assumed. */
async function shortHost(context: HostileContext): Promise<Answer> {
  const { port } = context
  return context.measure(async () => {
    const answers: string[] = []
    for (const host of ['a', 'ab', 'abc'])
      for (const auth of [[], [`Authorization: Bearer ${ADMIN_KEY}`]]) {
        const res = await rawRequest(port, ['GET /zz/api/datasets HTTP/1.1', `Host: ${host}`, ...auth])
        answers.push(`${res.status} ${(JSON.parse(res.body) as { code: string }).code}`)
      }
    return { answer: tally(answers), note: 'Host a, ab and abc; without a key and with one' }
  })
}

export const ODD_VALUE_CASES: HostileCase[] = [
  {
    name: 'odd values: cursors of years +275760, 0 and -1 on three lists, PATCH {}, NUL in a name, description, ?q=, column and key name, offset 1e30',
    run: oddValues,
  },
  { name: 'GET /zz/api/datasets under a short Host (a raw request)', run: shortHost },
]
