import type { Redis } from 'ioredis'
import type { Database } from '../db/client'
import type { ApiKeyRow } from '../db/schema'
import { decodeCursor, isUuid, type Page, toPage } from '../http/pagination'
import { conflict, notFound, ProblemError } from '../http/problem'
import type { Logger } from '../logger'
import { createKeyQueries, type KeyQueries } from './key-queries'
import type { Principal } from './principal'
import { announceRevocation } from './revocations'
import { generateSecret, hashSecret } from './secrets'

export type KeyJson = { id: string; name: string; admin: boolean; created_at: string; revoked_at: string | null }

export const toKeyJson = (row: ApiKeyRow): KeyJson => ({
  id: row.id,
  name: row.name,
  admin: row.admin,
  created_at: row.createdAt.toISOString(),
  revoked_at: row.revokedAt?.toISOString() ?? null,
})

/** Creating, listing, rotating and revoking API keys, for the key routes and the CLI. */
export class KeyService {
  readonly queries: KeyQueries

  constructor(
    db: Database,
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly log: Logger,
    /** Runs in this process when a key is revoked, before other processes hear of it. */
    private readonly onRevoked: (keyId: string) => void = () => {},
  ) {
    this.queries = createKeyQueries(db)
  }

  /** A new key; its secret is in the answer and nowhere else, ever. */
  async create(input: { name: string; admin?: boolean }): Promise<KeyJson & { key: string }> {
    const secret = generateSecret()
    const row = await this.queries.insert({
      name: input.name,
      admin: input.admin ?? false,
      secretHash: hashSecret(secret),
    })
    return { ...toKeyJson(row), key: secret }
  }

  async list(query: { limit: number; cursor?: string }): Promise<Page<KeyJson>> {
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor)
    return toPage(await this.queries.list({ limit: query.limit, cursor }), query.limit, toKeyJson)
  }

  /** Revokes a key at once: here, and in every api process through Redis. */
  async revoke(id: string): Promise<KeyJson> {
    const row = isUuid(id) ? await this.queries.revoke(id) : null
    if (!row) throw notFound('key')
    await this.announce(row.id)
    return toKeyJson(row)
  }

  /**
   * Gives a key a new secret, keeping its id, name, rights and everything it owns; the old
   * secret, and the sessions and streams opened with it, stop working at once in every api
   * process, as on revocation. `caller` is who asks (none from the command line): an
   * administrator, or the key itself.
   */
  async rotate(id: string, caller: Principal | null): Promise<KeyJson & { key: string }> {
    if (caller && !caller.admin && caller.keyId !== id)
      throw new ProblemError(403, 'ADMIN_ONLY', 'Only an administrator key may give another key a new secret')
    if (!isUuid(id)) throw notFound('key')
    const secret = generateSecret()
    const row = await this.queries.replaceSecret(id, hashSecret(secret))
    if (!row) {
      if (await this.queries.byId(id)) throw conflict('KEY_REVOKED', 'The key was revoked; create a new one instead')
      throw notFound('key')
    }
    await this.announce(row.id)
    return { ...toKeyJson(row), key: secret }
  }

  /** Tells this process, then every api process through Redis, to stop trusting what it knew of a key. */
  private async announce(keyId: string): Promise<void> {
    this.onRevoked(keyId)
    try {
      await announceRevocation(this.redis, this.prefix, keyId)
    } catch (error) {
      // Other processes stop trusting their cached copy within a minute anyway.
      this.log.error('could not announce a key revocation', { key_id: keyId, error })
    }
  }
}
