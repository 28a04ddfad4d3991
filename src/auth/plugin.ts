import { Elysia } from 'elysia'
import { ProblemError } from '../http/problem'
import { requestPath } from '../http/request-context'
import type { Authenticator } from './authenticator'
import type { Principal } from './principal'

const principals = new WeakMap<Request, Principal>()

/** Routes under /api that need no credentials: signing in and out (with or without a trailing slash). */
const isPublic = (method: string, path: string) =>
  method === 'OPTIONS' || !path.startsWith('/api/') || (/^\/api\/session\/?$/.test(path) && method !== 'GET')

/**
 * Authenticates every /api request as soon as it arrives, before its body is read or its
 * route looked up, so that nothing about the API, not even which routes exist, is open to a
 * caller without a key.
 */
export const authentication = (auth: Authenticator) =>
  new Elysia({ name: 'authentication' }).onRequest(async ({ request, server }) => {
    if (isPublic(request.method, requestPath(request))) return
    principals.set(request, await auth.authenticate(request, server?.requestIP(request)?.address))
  })

/** Gives a group of (non-public) routes the principal their request was authenticated as. */
export const authenticated = () =>
  new Elysia().derive({ as: 'scoped' }, ({ request }) => {
    const principal = principals.get(request)
    // `authentication` runs first for every non-public route; this only guards a wiring mistake.
    if (!principal) throw new ProblemError(401, 'UNAUTHORIZED', 'This route needs an API key')
    return { principal }
  })

export function requireAdmin(principal: Principal): void {
  if (!principal.admin) throw new ProblemError(403, 'ADMIN_ONLY', 'This route needs an administrator key')
}
