import { Elysia } from 'elysia'
import type { Logger } from '../logger'

const ids = new WeakMap<Request, string>()
const CLIENT_ID = /^[\w.:-]{1,128}$/

/**
 * Where a request's path starts in its URL: Elysia's router, told that hosts may be short
 * (`handler.standardHostname: false`, see `createApp`), looks for the first `/` from here,
 * just past `http://`. The api speaks plain HTTP (TLS ends at a proxy), so that `/` ends the host.
 */
export const ROUTER_CONFIG = { handler: { standardHostname: false } } as const
const PATH_SEARCH_FROM = 'http://'.length

/**
 * A request's path exactly as Elysia's router reads it (the same first `/`, up to the first
 * `?` after it), without parsing the URL: hooks that decide by path see what routing will see.
 */
export function requestPath(request: Request): string {
  const url = request.url
  const start = url.indexOf('/', PATH_SEARCH_FROM)
  const query = url.indexOf('?', start + 1)
  return query < 0 ? url.substring(start) : url.substring(start, query)
}

/** The id of a request: the client's `X-Request-Id` when it is sane, else a fresh one. */
export const requestIdOf = (request: Request): string | undefined => ids.get(request)

/**
 * Gives every request an id (echoed in `X-Request-Id`) and logs one line per request with its
 * timing. The line is written around the whole handling, from the response the client gets, so
 * that its status is that response's, whichever hook or handler made it (a 404 for no route or
 * a problem from `onRequest` never passes through `set.status`).
 */
export const requestContext = (log: Logger) => {
  const plugin = new Elysia({ name: 'request-context' }).onRequest(({ request, set }) => {
    const given = request.headers.get('x-request-id')
    const id = given && CLIENT_ID.test(given) ? given : crypto.randomUUID()
    ids.set(request, id)
    set.headers['x-request-id'] = id
  })
  if (!log.enabled('info')) return plugin
  return plugin.wrap((handle, request) => {
    const start = performance.now()
    const line = (status: number) =>
      log.info('request', {
        method: request.method,
        path: requestPath(request),
        status,
        ms: Math.round((performance.now() - start) * 100) / 100,
        request_id: ids.get(request),
      })
    return async (...args: unknown[]) => {
      try {
        const response = (await handle(...args)) as unknown as Response
        line(response.status)
        return response
      } catch (error) {
        // Elysia answers its own failures; what escapes it reaches the client as Bun's 500.
        line(500)
        throw error
      }
    }
  })
}
