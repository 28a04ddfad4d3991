import { Elysia, t } from 'elysia'
import { authenticated, requireAdmin } from '../auth/plugin'
import { problems } from '../http/schemas'
import { exposition } from './exposition'
import type { MetricsService } from './service'

/** `/api/metrics` for Prometheus, with an administrator key (a scrape config can send it as a bearer token). */
export const metricsRoutes = (metrics: MetricsService) =>
  new Elysia({ name: 'metrics' }).use(authenticated()).get(
    '/api/metrics',
    async ({ principal }) => {
      requireAdmin(principal)
      return new Response(exposition(await metrics.collect()), {
        headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
      })
    },
    {
      response: { 200: t.String({ description: 'Prometheus text format 0.0.4' }), ...problems(401, 403, 429, 503) },
      detail: {
        summary: 'Metrics for Prometheus',
        description:
          'Jobs by queue and state; of the last 1,000 tasks submitted, how those that ended in the last 5 minutes ended, waited and ran (p50, p95); event streams open on this api process; Redis memory and its maxmemory. Needs an administrator key.',
        tags: ['system'],
      },
    },
  )
