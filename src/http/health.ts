import { Elysia, t } from 'elysia'

export type Probe = () => Promise<unknown>

const CHECK_TIMEOUT_MS = 2000

async function check(probe: Probe): Promise<'ok' | 'down'> {
  let timer: Timer | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS)
  })
  try {
    await Promise.race([probe(), timeout])
    return 'ok'
  } catch {
    return 'down'
  } finally {
    clearTimeout(timer)
  }
}

const Check = t.Union([t.Literal('ok'), t.Literal('down')])
const Readiness = t.Object({ status: Check, checks: t.Object({ postgres: Check, redis: Check }) })

export const healthRoutes = (probes: { postgres: Probe; redis: Probe }) =>
  new Elysia({ name: 'health' })
    .get('/health', () => ({ status: 'ok' as const }), {
      response: t.Object({ status: t.Literal('ok') }),
      detail: { summary: 'Liveness: 200 while the process runs', tags: ['system'] },
    })
    .get(
      '/ready',
      async ({ set }) => {
        const [postgres, redis] = await Promise.all([check(probes.postgres), check(probes.redis)])
        const ready = postgres === 'ok' && redis === 'ok'
        set.status = ready ? 200 : 503
        return { status: ready ? ('ok' as const) : ('down' as const), checks: { postgres, redis } }
      },
      {
        response: { 200: Readiness, 503: Readiness },
        detail: { summary: 'Readiness: 200 when PostgreSQL and Redis answer, else 503 naming which', tags: ['system'] },
      },
    )
