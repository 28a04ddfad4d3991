const PG_CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
])

/** Which dependency an error says is down, looking through wrapped causes. */
export function unavailableDependency(error: unknown): 'postgres' | 'redis' | null {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code
    const message = e.message
    if (
      e.name === 'MaxRetriesPerRequestError' ||
      message.includes('enableOfflineQueue') ||
      message.includes('Connection is closed.') ||
      // Redis at its maxmemory refuses writes (BullMQ requires noeviction): full, so unavailable.
      message.includes('OOM command not allowed')
    )
      return 'redis'
    if (
      typeof code === 'string' &&
      (PG_CONNECTION_CODES.has(code) || code.startsWith('08') || code.startsWith('ERR_POSTGRES_CONNECTION'))
    )
      return 'postgres'
  }
  return null
}
