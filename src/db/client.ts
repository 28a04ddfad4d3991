import type { PgDatabase } from 'drizzle-orm/pg-core'
import { drizzle, type PostgresJsDatabase, type PostgresJsQueryResultHKT } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'
import * as schema from './schema'

export type Database = PostgresJsDatabase<typeof schema> & { $client: postgres.Sql }

/** A database or a transaction: whatever queries can run on. */
export type Executor = PgDatabase<PostgresJsQueryResultHKT, typeof schema>

export type DbOptions = {
  max?: number
  applicationName?: string
  /**
   * Commit without waiting for the WAL flush. Only for writes that a database crash may lose
   * without harm, because they are redone anyway.
   */
  relaxedCommit?: boolean
}

export function createDb(
  url: string,
  { max = 10, applicationName = 'datadynamo', relaxedCommit = false }: DbOptions = {},
): Database {
  const client = postgres(url, {
    max,
    onnotice: () => {},
    connection: { application_name: applicationName, ...(relaxedCommit ? { synchronous_commit: 'off' } : {}) },
    // A connection dropped mid-statement must fail the request, not hang it.
    connect_timeout: 5,
  })
  return drizzle({ client, schema })
}
