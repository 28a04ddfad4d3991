import { Elysia } from 'elysia'
import type { Logger } from '../logger'

type RequestInfo = { id: string; start: number }

const info = new WeakMap<Request, RequestInfo>()
const CLIENT_ID = /^[\w.:-]{1,128}$/

/**
 * A request's path as Elysia's router reads it (from the first `/` after the host, up to `?`),
 * without parsing the URL: hooks that decide by path see exactly what routing will see.
 */
export function requestPath(request: Request): string {
  const url = request.url
  const start = url.indexOf('/', url.indexOf('//') + 2)
  if (start < 0) return '/'
  const query = url.indexOf('?', start)
  return query < 0 ? url.slice(start) : url.slice(start, query)
}

/** The id of a request: the client's `X-Request-Id` when it is sane, else a fresh one. */
export const requestIdOf = (request: Request): string | undefined => info.get(request)?.id

/** Gives every request an id (echoed in `X-Request-Id`) and logs one line per request with its timing. */
export const requestContext = (log: Logger) => {
  const plugin = new Elysia({ name: 'request-context' }).onRequest(({ request, set }) => {
    const given = request.headers.get('x-request-id')
    const id = given && CLIENT_ID.test(given) ? given : crypto.randomUUID()
    info.set(request, { id, start: performance.now() })
    set.headers['x-request-id'] = id
  })
  if (!log.enabled('info')) return plugin
  return plugin.onAfterResponse({ as: 'global' }, ({ request, set, path }) => {
    const entry = info.get(request)
    log.info('request', {
      method: request.method,
      path,
      status: typeof set.status === 'number' ? set.status : 200,
      ms: entry ? Math.round((performance.now() - entry.start) * 100) / 100 : undefined,
      request_id: entry?.id,
    })
  })
}
