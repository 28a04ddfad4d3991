import type { Redis } from 'ioredis'

/** Tells every api process that a key was revoked, so that none keeps serving it from a cache or a stream. */
export const revocationsChannel = (prefix: string) => `${prefix}:key-revocations`

export async function announceRevocation(redis: Redis, prefix: string, keyId: string): Promise<void> {
  await redis.publish(revocationsChannel(prefix), keyId)
}

/** Calls `onRevoked` with each key id revoked by any process; `subscriber` must be a subscriber connection. */
export async function listenForRevocations(
  subscriber: Redis,
  prefix: string,
  onRevoked: (keyId: string) => void,
): Promise<void> {
  const channel = revocationsChannel(prefix)
  subscriber.on('message', (from: string, keyId: string) => {
    if (from === channel) onRevoked(keyId)
  })
  await subscriber.subscribe(channel)
}
