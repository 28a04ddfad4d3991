import { and, eq, isNull, sql } from 'drizzle-orm'
import type { Config } from '../config'
import type { Database } from '../db/client'
import { apiKeys, instanceSettings } from '../db/schema'
import type { Logger } from '../logger'
import { generateSecret, hashSecret } from './secrets'

const SESSION_SECRET = 'session_secret'
/** Any constant works; it only has to be the same in every api process. */
const FIRST_ADMIN_LOCK = 7_272_740_002

/**
 * The configuration with its session secret: SESSION_SECRET when set, else the one kept in
 * PostgreSQL, made by whichever api process starts first (the primary key lets exactly one
 * insert win; every process then reads the winner), so that all processes sign and verify
 * cookies alike and sessions outlive restarts.
 */
export async function withSessionSecret(config: Config, db: Database): Promise<Config> {
  if (config.auth.sessionSecret !== undefined) return config
  await db
    .insert(instanceSettings)
    .values({
      name: SESSION_SECRET,
      value: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url'),
    })
    .onConflictDoNothing()
  const [row] = await db.select().from(instanceSettings).where(eq(instanceSettings.name, SESSION_SECRET))
  return { ...config, auth: { ...config.auth, sessionSecret: row!.value } }
}

/**
 * With no ADMIN_API_KEY and no administrator key in PostgreSQL, nobody could ever manage this
 * deployment: make an administrator key, keep only its hash, and print it this once in the
 * log. Api processes starting together take turns on an advisory lock, so one of them makes it.
 * A log level that would hide the key makes none (`bun run cli keys create --admin` does).
 */
export async function ensureAdministratorKey(config: Config, db: Database, log: Logger): Promise<void> {
  if (config.adminApiKey !== undefined || !log.enabled('warn')) return
  const created = await db.transaction(async tx => {
    await tx.execute(sql`select pg_advisory_xact_lock(${FIRST_ADMIN_LOCK})`)
    const [existing] = await tx
      .select({ id: apiKeys.id })
      .from(apiKeys)
      .where(and(eq(apiKeys.admin, true), isNull(apiKeys.revokedAt)))
      .limit(1)
    if (existing) return null
    const secret = generateSecret()
    const [row] = await tx
      .insert(apiKeys)
      .values({ name: 'first administrator', admin: true, secretHash: hashSecret(secret) })
      .returning({ id: apiKeys.id })
    return { id: row!.id, secret }
  })
  if (created)
    log.warn('created an administrator key: keep it now, it is stored only as a hash and never shown again', {
      key_id: created.id,
      key: created.secret,
    })
}
