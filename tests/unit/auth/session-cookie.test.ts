import { describe, expect, test } from 'bun:test'
import { generateSecret, hashSecret, sameDigest } from '../../../src/auth/secrets'
import {
  secretTag,
  sessionCookie,
  sessionFromCookies,
  signSession,
  verifySession,
} from '../../../src/auth/session-cookie'

const SECRET = 'a-session-secret-of-at-least-32-characters'
const claims = {
  principalId: '3f1c3c8e-2d4b-4e8a-9c55-0f0a6a1b2c3d',
  expiresAt: Date.now() + 60_000,
  secretTag: 'tag',
  sessionId: 'c2Vzc2lvbi1pZC0xMjM0NQ',
}

describe('session cookies', () => {
  test('a signed cookie verifies to its claims', () => {
    expect(verifySession(SECRET, signSession(SECRET, claims))).toEqual(claims)
  })

  test('a changed claim, a signature by another secret, an expired cookie or garbage are refused', () => {
    const value = signSession(SECRET, claims)
    const [id, expiry, tag, session, signature] = value.split('.')
    expect(verifySession(SECRET, [id, String(Number(expiry) + 1), tag, session, signature].join('.'))).toBeNull()
    expect(verifySession(SECRET, ['admin', expiry, tag, session, signature].join('.'))).toBeNull()
    expect(verifySession(SECRET, [id, expiry, tag, 'another-session', signature].join('.'))).toBeNull()
    expect(verifySession('another-secret-of-at-least-32-characters!', value)).toBeNull()
    expect(verifySession(SECRET, signSession(SECRET, { ...claims, expiresAt: Date.now() - 1 }))).toBeNull()
    for (const garbage of ['', '....', 'a.b.c.d', 'a.b.c.d.e.f', `${id}.${expiry}.${tag}.${session}.${'A'.repeat(43)}`])
      expect(verifySession(SECRET, garbage)).toBeNull()
  })

  test('the cookie is HttpOnly, SameSite=Strict, scoped to the site and expiring; Secure when asked', () => {
    expect(sessionCookie('v', 600, false)).toBe('dd_session=v; Path=/; Max-Age=600; HttpOnly; SameSite=Strict')
    expect(sessionCookie('v', 600, true)).toEndWith('; Secure')
  })

  test('the session is found among other cookies', () => {
    expect(sessionFromCookies('a=1; dd_session=abc.def; b=2')).toBe('abc.def')
    expect(sessionFromCookies('dd_sessionx=1; xdd_session=2')).toBeNull()
    expect(sessionFromCookies(null)).toBeNull()
  })
})

describe('API key secrets', () => {
  test('keys carry 256 random bits and are told apart by their hash', () => {
    const a = generateSecret()
    const b = generateSecret()
    expect(a).toMatch(/^dd_[A-Za-z0-9_-]{43}$/)
    expect(a).not.toBe(b)
    expect(sameDigest(hashSecret(a), hashSecret(a))).toBe(true)
    expect(sameDigest(hashSecret(a), hashSecret(b))).toBe(false)
    expect(secretTag(hashSecret(a))).not.toBe(secretTag(hashSecret(b)))
  })
})
