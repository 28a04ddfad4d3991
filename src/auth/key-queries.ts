import { and, desc, eq, isNull, sql } from 'drizzle-orm'
import type { Database } from '../db/client'
import { type ApiKeyRow, apiKeys } from '../db/schema'
import type { Cursor } from '../http/pagination'

export type KeyQueries = ReturnType<typeof createKeyQueries>

export function createKeyQueries(db: Database) {
  const activeByHash = db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.secretHash, sql.placeholder('hash')), isNull(apiKeys.revokedAt)))
    .prepare('api_key_by_hash')
  const activeById = db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.id, sql.placeholder('id')), isNull(apiKeys.revokedAt)))
    .prepare('api_key_by_id')
  return {
    async activeByHash(hash: Uint8Array): Promise<ApiKeyRow | null> {
      const [row] = await activeByHash.execute({ hash })
      return row ?? null
    },

    async activeById(id: string): Promise<ApiKeyRow | null> {
      const [row] = await activeById.execute({ id })
      return row ?? null
    },

    async insert(values: { name: string; admin: boolean; secretHash: Uint8Array }): Promise<ApiKeyRow> {
      const [row] = await db.insert(apiKeys).values(values).returning()
      return row!
    },

    list({ limit, cursor }: { limit: number; cursor?: Cursor }): Promise<ApiKeyRow[]> {
      return db
        .select()
        .from(apiKeys)
        .where(
          cursor
            ? sql`(${apiKeys.createdAt}, ${apiKeys.id}) < (${cursor.createdAt.toISOString()}::timestamptz, ${cursor.id}::uuid)`
            : undefined,
        )
        .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
        .limit(limit + 1)
    },

    async byId(id: string): Promise<ApiKeyRow | null> {
      const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, id))
      return row ?? null
    },

    /** Gives an unrevoked key a new secret; null when there is no such key or it was revoked. */
    async replaceSecret(id: string, secretHash: Uint8Array): Promise<ApiKeyRow | null> {
      const [row] = await db
        .update(apiKeys)
        .set({ secretHash })
        .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
        .returning()
      return row ?? null
    },

    /** Revokes a key; null when there is no such key. Revoking twice keeps the first time. */
    async revoke(id: string): Promise<ApiKeyRow | null> {
      const [row] = await db
        .update(apiKeys)
        .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())` })
        .where(eq(apiKeys.id, id))
        .returning()
      return row ?? null
    },
  }
}
