import { expect, setDefaultTimeout, test } from 'bun:test'
import postgres from 'postgres'
import { runMigrations } from '../../../src/db/migrate'
import { PG_ADMIN_URL } from '../../support/services'

// Threads, processes and queues outlast bun's 5 s default; a preload cannot set it for every file (oven-sh/bun#43787).
setDefaultTimeout(30_000)

test('migrations applied twice, and from three processes at once, leave one schema and one record each', async () => {
  const name = `dd_test_migrate_${Date.now()}`
  const admin = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name}`)
  const url = new URL(PG_ADMIN_URL)
  url.pathname = `/${name}`
  try {
    const journal = (await Bun.file(new URL('../../../drizzle/meta/_journal.json', import.meta.url)).json()) as {
      entries: unknown[]
    }
    await Promise.all([runMigrations(url.toString()), runMigrations(url.toString()), runMigrations(url.toString())])
    await runMigrations(url.toString())
    const db = postgres(url.toString(), { max: 1 })
    const applied = await db`select count(*)::int as n from drizzle.__drizzle_migrations`
    const tables = await db`select tablename from pg_tables where schemaname = 'public' order by tablename`
    await db.end()
    expect(applied[0]!.n).toBe(journal.entries.length)
    expect(tables.map(t => t.tablename)).toEqual([
      'api_keys',
      'dataset_chunks',
      'dataset_versions',
      'datasets',
      'idempotency_keys',
      'instance_settings',
      'tasks',
    ])
  } finally {
    await admin.unsafe(`drop database if exists ${name} with (force)`)
    await admin.end()
  }
})
