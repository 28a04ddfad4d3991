import type { PgDatabase } from 'drizzle-orm/pg-core'
import { drizzle, type PostgresJsDatabase, type PostgresJsQueryResultHKT } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'
import * as schema from './schema'

export type Database = PostgresJsDatabase<typeof schema> & { $client: postgres.Sql }

/** A database or a transaction: whatever queries can run on. */
export type Executor = PgDatabase<PostgresJsQueryResultHKT, typeof schema>

export type DbOptions = { max?: number; applicationName?: string }

export function createDb(url: string, { max = 10, applicationName = 'datadynamo' }: DbOptions = {}): Database {
  const client = postgres(url, {
    max,
    onnotice: () => {},
    connection: { application_name: applicationName },
    // A connection dropped mid-statement must fail the request, not hang it.
    connect_timeout: 5,
  })
  return drizzle({ client, schema })
}
