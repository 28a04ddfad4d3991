import { createHmac, timingSafeEqual } from 'node:crypto'

export const SESSION_COOKIE = 'dd_session'

/**
 * What a session cookie carries: whose it is, until when, a tag of the key's secret, and the
 * session's id, which the session store must still hold (signing out removes it).
 */
export type SessionClaims = { principalId: string; expiresAt: number; secretTag: string; sessionId: string }

/** A new session id: 128 random bits, URL-safe. */
export const newSessionId = () => Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url')

/** A short tag of a key's secret hash: a session dies with the key it came from, even a rotated environment key. */
export const secretTag = (secretHash: Uint8Array) => Buffer.from(secretHash.subarray(0, 12)).toString('base64url')

const mac = (secret: string, payload: string) => createHmac('sha256', secret).update(payload).digest()

/** `principal.expiry.tag.session.signature`, all URL-safe: a signed, expiring claim. */
export function signSession(secret: string, claims: SessionClaims): string {
  const payload = [claims.principalId, String(claims.expiresAt), claims.secretTag, claims.sessionId].join('.')
  return `${payload}.${mac(secret, payload).toString('base64url')}`
}

/** The claims of a well-signed, unexpired cookie; null for anything else. */
export function verifySession(secret: string, value: string, now = Date.now()): SessionClaims | null {
  const parts = value.split('.')
  if (parts.length !== 5) return null
  const [principalId, expiry, tag, sessionId, signature] = parts as [string, string, string, string, string]
  const expected = mac(secret, `${principalId}.${expiry}.${tag}.${sessionId}`)
  const given = Buffer.from(signature, 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null
  const expiresAt = Number(expiry)
  if (!Number.isSafeInteger(expiresAt) || expiresAt <= now) return null
  return { principalId, expiresAt, secretTag: tag, sessionId }
}

export function sessionCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${value}`,
    'Path=/',
    `Max-Age=${maxAgeSeconds}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
  ].join('; ')
}

export const clearedSessionCookie = (secure: boolean) => sessionCookie('', 0, secure)

/** The session cookie's value from a Cookie header, if there is one. */
export function sessionFromCookies(header: string | null): string | null {
  if (!header) return null
  for (const part of header.split(';')) {
    const at = part.indexOf('=')
    if (at > 0 && part.slice(0, at).trim() === SESSION_COOKIE) return part.slice(at + 1).trim() || null
  }
  return null
}
