import { Elysia } from 'elysia'
import { requestPath } from './request-context'

/** JSON and event streams are never rendered: nothing may load or frame them. */
const API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"

/** Pages of the dashboard: their own scripts, styles and API only. */
export const PAGE_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

/**
 * The API reference page: its bundle is served from here, but it starts from an inline script
 * and styles itself inline, and it loads the OpenAPI document with fetch.
 */
const DOCS_POLICY =
  "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

const policyFor = (path: string) =>
  path.startsWith('/api/') || path === '/health' || path === '/ready'
    ? API_POLICY
    : path.startsWith('/swagger')
      ? DOCS_POLICY
      : PAGE_POLICY

/**
 * Headers every answer carries, errors and streams included: no MIME sniffing, no framing
 * (clickjacking), no referrer leaking ids, and a content security policy for the path.
 */
export const securityHeaders = () =>
  new Elysia({ name: 'security-headers' }).onRequest(({ request, set }) => {
    set.headers['x-content-type-options'] = 'nosniff'
    set.headers['x-frame-options'] = 'DENY'
    set.headers['referrer-policy'] = 'no-referrer'
    set.headers['content-security-policy'] = policyFor(requestPath(request))
  })
