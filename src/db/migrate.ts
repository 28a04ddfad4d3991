import { fileURLToPath } from 'node:url'
import { drizzle } from 'drizzle-orm/postgres-js'
import { migrate } from 'drizzle-orm/postgres-js/migrator'
import postgres from 'postgres'

const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url))
/** Any constant works; it only has to be the same in every process that migrates. */
const MIGRATION_LOCK = 7_272_740_001

/**
 * Applies the committed migrations. Drizzle's migrator takes no lock, so concurrent starts of
 * several api processes serialise on a session advisory lock held on the one connection used.
 */
export async function runMigrations(databaseUrl: string): Promise<void> {
  const client = postgres(databaseUrl, { max: 1, onnotice: () => {} })
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK})`
    await migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS_FOLDER })
    await client`select pg_advisory_unlock(${MIGRATION_LOCK})`
  } finally {
    await client.end()
  }
}
