import { Elysia } from 'elysia'
import { jsonBody } from '../http/body'
import { ProblemError } from '../http/problem'
import { IdParams, NoContent, pageOf, problems } from '../http/schemas'
import type { Authenticator } from './authenticator'
import type { KeyService } from './key-service'
import { authenticated, requireAdmin } from './plugin'
import type { Principal } from './principal'
import { CreatedKeySchema, CreateKeyBody, KeySchema, ListKeysQuery, PrincipalSchema, SessionBody } from './schemas'
import { clearedSessionCookie, sessionCookie } from './session-cookie'

const toPrincipalJson = (principal: Principal) => ({ id: principal.id, name: principal.name, admin: principal.admin })

const JSON_BYTES = 16 * 1024

/** Administration of API keys: admin keys only, but for a key giving itself a new secret. */
export const keyRoutes = (keys: KeyService) =>
  new Elysia({ name: 'key-routes' })
    .use(authenticated())
    .post('/api/keys/:id/rotate', ({ params, principal }) => keys.rotate(params.id, principal), {
      params: IdParams,
      response: { 200: CreatedKeySchema, ...problems(401, 403, 404, 409, 429) },
      detail: {
        summary: 'Give a key a new secret (admin, or the key itself)',
        description:
          'The key keeps its id, name, rights and everything it owns; the answer holds the new secret, shown this once. The old secret stops working at once in every api process, and sessions and event streams opened with it end, as on revocation. Another key than the caller’s needs an administrator key (403); a revoked key cannot be rotated (409).',
        tags: ['keys'],
      },
    })
    .onBeforeHandle(({ principal }) => requireAdmin(principal))
    .post(
      '/api/keys',
      async ({ body, set }) => {
        set.status = 201
        return keys.create(body)
      },
      {
        parse: jsonBody(JSON_BYTES),
        body: CreateKeyBody,
        response: { 201: CreatedKeySchema, ...problems(400, 401, 403, 415, 422, 429) },
        detail: {
          summary: 'Create an API key (admin)',
          description: 'The answer holds the secret key; it is shown this once and stored only as a hash.',
          tags: ['keys'],
        },
      },
    )
    .get('/api/keys', ({ query }) => keys.list(query), {
      query: ListKeysQuery,
      response: { 200: pageOf(KeySchema), ...problems(401, 403, 422, 429) },
      detail: { summary: 'List API keys without their secrets (admin)', tags: ['keys'] },
    })
    .delete(
      '/api/keys/:id',
      async ({ params, set }) => {
        await keys.revoke(params.id)
        set.status = 204
      },
      {
        params: IdParams,
        response: { 204: NoContent, ...problems(401, 403, 404, 429) },
        detail: {
          summary: 'Revoke an API key (admin)',
          description:
            'Takes effect at once in every api process: requests with the key, and sessions and event streams opened with it, end.',
          tags: ['keys'],
        },
      },
    )

/**
 * Browser sessions. EventSource cannot send an Authorization header, so a page signs in with a
 * key once and gets an HttpOnly, SameSite=Strict cookie that every /api route accepts; the key
 * never has to sit in a URL or in script-readable storage.
 */
export const sessionRoutes = (
  auth: Authenticator,
  options: { cookieSecure: boolean; onSessionEnded: (sessionId: string) => void },
) =>
  new Elysia({ name: 'session-routes' })
    .post(
      '/api/session',
      async ({ body, set, request, server }) => {
        const principal =
          (await auth.byKey(body.key)) ??
          (await auth.refuse(server?.requestIP(request)?.address, 'The API key is not valid or was revoked'))
        const session = await auth.sessionFor(principal, body.key)
        set.headers['set-cookie'] = sessionCookie(session.value, session.maxAgeSeconds, options.cookieSecure)
        set.headers['cache-control'] = 'no-store'
        return toPrincipalJson(principal)
      },
      {
        parse: jsonBody(JSON_BYTES),
        body: SessionBody,
        response: { 200: PrincipalSchema, ...problems(400, 401, 415, 422, 429, 503) },
        detail: {
          summary: 'Sign in with an API key for a browser session',
          description:
            'Sets the `dd_session` cookie (HttpOnly, SameSite=Strict, signed, expiring), which every /api route accepts in place of the Authorization header. Changes made with the cookie must come from this site.',
          tags: ['session'],
          security: [],
        },
      },
    )
    .delete(
      '/api/session',
      async ({ request, set }) => {
        const cleared = clearedSessionCookie(options.cookieSecure)
        let ended: string | null
        try {
          ended = await auth.endSession(request.headers.get('cookie'))
        } catch {
          // The browser forgets the cookie all the same; the session itself outlives this answer.
          throw new ProblemError(
            503,
            'SESSION_NOT_ENDED',
            'The session could not be ended (Redis is unavailable); sign out again shortly',
            undefined,
            { 'set-cookie': cleared, 'retry-after': '5' },
          )
        }
        if (ended !== null) options.onSessionEnded(ended)
        set.headers['set-cookie'] = cleared
        set.status = 204
      },
      {
        response: { 204: NoContent, ...problems(503) },
        detail: {
          summary: 'Sign out: ends the session and clears its cookie',
          description:
            'Every api process refuses the cookie from then on, and event streams opened with it end. Without a cookie, or with one that is not ours, it only clears the cookie.',
          tags: ['session'],
          security: [],
        },
      },
    )
    .use(authenticated())
    .get('/api/session', ({ principal }) => toPrincipalJson(principal), {
      response: { 200: PrincipalSchema, ...problems(401, 429) },
      detail: { summary: 'Who the request is signed in as', tags: ['session'] },
    })
