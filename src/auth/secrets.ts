import { timingSafeEqual } from 'node:crypto'

const SECRET_PREFIX = 'dd_'

/** A new API key: 256 random bits, with a prefix that makes a leaked key easy to recognise. */
export function generateSecret(): string {
  return SECRET_PREFIX + Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')
}

export function hashSecret(secret: string): Uint8Array {
  return new Bun.CryptoHasher('sha256').update(secret).digest() as Uint8Array
}

/** Compares two digests in constant time. */
export function sameDigest(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}
