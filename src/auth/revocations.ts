import type { Redis } from 'ioredis'

/**
 * Tells every api process that a key was revoked (or given a new secret) or a session signed
 * out, so that none keeps serving it from a cache or an open stream.
 */
export const revocationsChannel = (prefix: string) => `${prefix}:key-revocations`
export const sessionEndsChannel = (prefix: string) => `${prefix}:session-ends`

export async function announceRevocation(redis: Redis, prefix: string, keyId: string): Promise<void> {
  await redis.publish(revocationsChannel(prefix), keyId)
}

export async function announceSessionEnd(redis: Redis, prefix: string, sessionId: string): Promise<void> {
  await redis.publish(sessionEndsChannel(prefix), sessionId)
}

export type RevocationHandlers = {
  onKeyRevoked(keyId: string): void
  onSessionEnded(sessionId: string): void
}

/** Calls the handlers with each revocation announced by any process; `subscriber` must be a subscriber connection. */
export async function listenForRevocations(
  subscriber: Redis,
  prefix: string,
  { onKeyRevoked, onSessionEnded }: RevocationHandlers,
): Promise<void> {
  const keys = revocationsChannel(prefix)
  const sessions = sessionEndsChannel(prefix)
  subscriber.on('message', (from: string, id: string) => {
    if (from === keys) onKeyRevoked(id)
    else if (from === sessions) onSessionEnded(id)
  })
  await subscriber.subscribe(keys, sessions)
}
