import { ProblemError } from '../http/problem'
import type { KeyQueries } from './key-queries'
import { ENVIRONMENT_ADMIN_ID, type Principal } from './principal'
import type { RateLimiter } from './rate-limiter'
import { hashSecret, sameDigest } from './secrets'
import { newSessionId, secretTag, sessionFromCookies, signSession, verifySession } from './session-cookie'
import type { SessionStore } from './session-store'

export type AuthOptions = {
  adminApiKey: string | undefined
  sessionSecret: string
  sessionTtlSeconds: number
}

type Cached = { principal: Principal; tag: string; until: number }

/** How long a key looked up in PostgreSQL is trusted without asking again; revocations evict at once. */
const CACHE_MS = 60_000
const MAX_CACHED = 10_000
/** No key is this long; longer headers are refused before any hashing. */
const MAX_SECRET_LENGTH = 256
const BEARER = /^Bearer ([\x21-\x7e]+)$/

const unauthorized = (detail: string) =>
  new ProblemError(401, 'UNAUTHORIZED', detail, undefined, { 'www-authenticate': 'Bearer' })

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * A cookie travels with any request the browser makes, even one another site triggers: a
 * cookie-authenticated change must come from this origin. (SameSite=Strict already keeps the
 * cookie off cross-site requests; this holds where a browser does not honour it.)
 */
function checkSameOrigin(request: Request): void {
  const site = request.headers.get('sec-fetch-site')
  const origin = request.headers.get('origin')
  let sameHost = true
  if (origin !== null) {
    try {
      sameHost = new URL(origin).host === new URL(request.url).host
    } catch {
      sameHost = false
    }
  }
  if ((site !== null && site !== 'same-origin' && site !== 'none') || !sameHost)
    throw new ProblemError(403, 'CROSS_SITE_REQUEST', 'A change made with the session cookie must come from this site')
}

/**
 * Turns a request's credentials into a principal: an API key in `Authorization: Bearer`, or the
 * session cookie a browser got from `POST /api/session`. Keys found in PostgreSQL are cached
 * briefly by their hash; a revocation anywhere evicts them (see `forget`). Each principal, and
 * each client address that fails to authenticate, spends from a rate limit.
 */
export class Authenticator {
  private readonly byHash = new Map<string, Cached>()
  private readonly byId = new Map<string, Cached>()
  private readonly admin: { principal: Principal; hash: Uint8Array; tag: string } | null
  /**
   * Counts the keys forgotten so far. A lookup that a revocation overtook must not be cached:
   * it may hold the row as it was before, and would serve a revoked key for another minute.
   */
  private forgotten = 0

  constructor(
    private readonly keys: KeyQueries,
    private readonly limiter: RateLimiter,
    private readonly sessions: SessionStore,
    private readonly options: AuthOptions,
  ) {
    const hash = options.adminApiKey === undefined ? null : hashSecret(options.adminApiKey)
    this.admin = hash && {
      principal: { id: ENVIRONMENT_ADMIN_ID, keyId: null, name: 'administrator (ADMIN_API_KEY)', admin: true },
      hash,
      tag: secretTag(hash),
    }
  }

  /** The principal a request acts for; a 401, 403 or 429 problem when it may not go on. */
  async authenticate(request: Request, clientAddress: string | undefined): Promise<Principal> {
    const header = request.headers.get('authorization')
    let principal: Principal | null = null
    let refusal = 'This route needs an API key: send `Authorization: Bearer <key>`, or sign in for a session'
    if (header !== null) {
      const secret = BEARER.exec(header)?.[1]
      principal = secret ? await this.byKey(secret) : null
      refusal = secret ? 'The API key is not valid or was revoked' : 'The Authorization header must be `Bearer <key>`'
    } else {
      const session = sessionFromCookies(request.headers.get('cookie'))
      if (session !== null) {
        principal = await this.bySession(session)
        refusal = 'The session has expired or its key was revoked; sign in again'
        if (principal && UNSAFE_METHODS.has(request.method)) checkSameOrigin(request)
      }
    }
    if (!principal) return this.refuse(clientAddress, refusal)
    await this.spend(`key:${principal.id}`)
    return principal
  }

  /** Refuses a caller that failed to authenticate; its address spends from a rate limit, so guessing is slow. */
  async refuse(clientAddress: string | undefined, detail: string): Promise<never> {
    await this.spend(`address:${clientAddress ?? 'unknown'}`)
    throw unauthorized(detail)
  }

  /** The principal of an API key, or null; for signing in, where the key comes in a body. */
  async byKey(secret: string): Promise<Principal | null> {
    if (secret.length > MAX_SECRET_LENGTH) return null
    const hash = hashSecret(secret)
    if (this.admin && sameDigest(hash, this.admin.hash)) return this.admin.principal
    const cacheKey = Buffer.from(hash).toString('hex')
    const cached = this.fresh(this.byHash, cacheKey)
    if (cached) return cached.principal
    const generation = this.forgotten
    const row = await this.keys.activeByHash(hash)
    // The row was found by its hash; the comparison guards against a lookup that ever matched loosely.
    if (!row || !sameDigest(row.secretHash, hash)) return null
    const entry = this.remember(
      this.byHash,
      cacheKey,
      { principal: { id: row.id, keyId: row.id, name: row.name, admin: row.admin }, tag: secretTag(row.secretHash) },
      generation,
    )
    return entry.principal
  }

  /** A new session for a principal that just proved its key: recorded as live, and its signed cookie. */
  async sessionFor(principal: Principal, secret: string): Promise<{ value: string; maxAgeSeconds: number }> {
    const maxAgeSeconds = this.options.sessionTtlSeconds
    const sessionId = newSessionId()
    await this.sessions.start(sessionId, principal.id, maxAgeSeconds * 1000)
    const value = signSession(this.options.sessionSecret, {
      principalId: principal.id,
      expiresAt: Date.now() + maxAgeSeconds * 1000,
      secretTag: secretTag(hashSecret(secret)),
      sessionId,
    })
    return { value, maxAgeSeconds }
  }

  /**
   * Signs a session out: its id leaves the store, so every api process refuses the cookie from
   * now on. Answers the id ended, or null when the cookie was no session of ours.
   */
  async endSession(cookieHeader: string | null): Promise<string | null> {
    const value = sessionFromCookies(cookieHeader)
    const claims = value === null ? null : verifySession(this.options.sessionSecret, value)
    if (!claims) return null
    await this.sessions.end(claims.sessionId)
    return claims.sessionId
  }

  /** Drops everything cached about a key: it was revoked or given a new secret, here or in another process. */
  forget(keyId: string): void {
    this.forgotten++
    this.byId.delete(keyId)
    for (const [hash, entry] of this.byHash) if (entry.principal.keyId === keyId) this.byHash.delete(hash)
  }

  private async bySession(value: string): Promise<Principal | null> {
    const claims = verifySession(this.options.sessionSecret, value)
    if (!claims) return null
    const principal = await this.sessionPrincipal(claims.principalId, claims.secretTag)
    if (!principal || !(await this.sessions.isLive(claims.sessionId, principal.id))) return null
    return { ...principal, sessionId: claims.sessionId }
  }

  /** The principal a session names, while the key it was opened with is still the key's secret. */
  private async sessionPrincipal(principalId: string, tag: string): Promise<Principal | null> {
    if (principalId === ENVIRONMENT_ADMIN_ID) return this.admin?.tag === tag ? this.admin.principal : null
    let entry = this.fresh(this.byId, principalId)
    if (!entry) {
      const generation = this.forgotten
      const row = /^[0-9a-f-]{36}$/.test(principalId) ? await this.keys.activeById(principalId) : null
      if (!row) return null
      entry = this.remember(
        this.byId,
        row.id,
        { principal: { id: row.id, keyId: row.id, name: row.name, admin: row.admin }, tag: secretTag(row.secretHash) },
        generation,
      )
    }
    return entry.tag === tag ? entry.principal : null
  }

  private async spend(bucket: string): Promise<void> {
    const waitMs = await this.limiter.take(bucket)
    if (waitMs > 0)
      throw new ProblemError(429, 'RATE_LIMITED', 'Too many requests; slow down and try again', undefined, {
        'retry-after': String(Math.ceil(waitMs / 1000)),
      })
  }

  private fresh(cache: Map<string, Cached>, key: string): Cached | null {
    const entry = cache.get(key)
    if (!entry) return null
    if (entry.until > Date.now()) return entry
    cache.delete(key)
    return null
  }

  /** Caches a row read while `generation` keys had been forgotten, unless another was forgotten meanwhile. */
  private remember(cache: Map<string, Cached>, key: string, entry: Omit<Cached, 'until'>, generation: number): Cached {
    const cached = { ...entry, until: Date.now() + CACHE_MS }
    if (generation !== this.forgotten) return cached
    if (cache.size >= MAX_CACHED) cache.clear()
    cache.set(key, cached)
    return cached
  }
}
