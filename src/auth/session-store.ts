import type { Redis } from 'ioredis'
import { announceSessionEnd } from './revocations'

/**
 * The browser sessions that are live, kept in Redis so that every api process agrees at once:
 * a session id lives from sign-in until it expires or its owner signs out. A cookie is honoured
 * only while its id is here, so losing Redis's contents signs everyone out rather than bringing
 * a signed-out cookie back, and while Redis is down cookies are refused (503), not trusted.
 */
export class SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async start(sessionId: string, principalId: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.key(sessionId), principalId, 'PX', ttlMs)
  }

  /** Whether the session is live and belongs to this principal. */
  async isLive(sessionId: string, principalId: string): Promise<boolean> {
    return (await this.redis.get(this.key(sessionId))) === principalId
  }

  /** Ends a session, and tells every api process to end the streams opened with it. */
  async end(sessionId: string): Promise<void> {
    await this.redis.del(this.key(sessionId))
    await announceSessionEnd(this.redis, this.prefix, sessionId)
  }

  private key(sessionId: string): string {
    return `${this.prefix}:session:${sessionId}`
  }
}
