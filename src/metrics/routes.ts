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
          'Tasks by status, jobs by queue and state, how long recent tasks waited and ran, open event streams, and Redis memory. Needs an administrator key.',
        tags: ['system'],
      },
    },
  )
