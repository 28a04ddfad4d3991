import { createHash, randomUUID } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { Redis } from 'ioredis'
import postgres from 'postgres'
import { runMigrations } from '../../src/db/migrate'

/** Where the tests find PostgreSQL (any database the user may create databases from) and Redis. */
export const PG_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

const databaseUrl = (name: string) => {
  const url = new URL(PG_ADMIN_URL)
  url.pathname = `/${name}`
  return url.toString()
}

function migrationsHash(): string {
  const folder = new URL('../../drizzle/', import.meta.url)
  const hash = createHash('sha256')
  for (const file of readdirSync(folder, { recursive: true }).map(String).sort()) {
    if (file.endsWith('.sql') || file.endsWith('.json')) hash.update(file).update(readFileSync(new URL(file, folder)))
  }
  return hash.digest('hex').slice(0, 12)
}

let template: Promise<string> | undefined

/** A migrated template database, made once per migration set and cloned by every test file. */
function migratedTemplate(): Promise<string> {
  template ??= (async () => {
    const name = `dd_template_${migrationsHash()}`
    const admin = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} })
    try {
      await admin`select pg_advisory_lock(727201)`
      const [exists] = await admin`select 1 from pg_database where datname = ${name}`
      if (!exists) {
        await admin.unsafe(`create database ${name}`)
        await runMigrations(databaseUrl(name))
      }
      await admin`select pg_advisory_unlock(727201)`
    } finally {
      await admin.end()
    }
    return name
  })()
  return template
}

export type TestDatabase = { url: string; drop(): Promise<void> }

/** A fresh, migrated database of its own for one test file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const source = await migratedTemplate()
  const name = `dd_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`
  const admin = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name} template ${source}`)
  await admin.end()
  return {
    url: databaseUrl(name),
    async drop() {
      const conn = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} })
      await conn.unsafe(`drop database if exists ${name} with (force)`)
      await conn.end()
    },
  }
}

/** A queue prefix of its own on the shared Redis, and a way to remove every key under it. */
export function createTestPrefix(): { prefix: string; clear(): Promise<void> } {
  const prefix = `dd-test-${randomUUID().slice(0, 8)}`
  return {
    prefix,
    async clear() {
      const redis = new Redis(REDIS_URL)
      let cursor = '0'
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)
        if (keys.length > 0) await redis.del(...keys)
        cursor = next
      } while (cursor !== '0')
      redis.disconnect()
    },
  }
}
