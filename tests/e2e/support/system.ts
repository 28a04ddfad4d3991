import { type Child, envOf, startApi, startWorkerProcess } from '../../support/processes'
import { createTestDatabase, createTestPrefix, REDIS_URL } from '../../support/services'

export type System = { url: string; databaseUrl: string; stop(): Promise<void> }

/**
 * The real api and one worker as child processes, as `bun run start` and `bun run worker` run
 * them, on a database and a queue prefix of their own.
 */
export async function startSystem(
  env: Record<string, string>,
  prepare?: (databaseUrl: string) => Promise<void>,
): Promise<System> {
  const database = await createTestDatabase()
  const prefix = createTestPrefix()
  const children: Child[] = []
  const config = envOf({ databaseUrl: database.url, redisUrl: REDIS_URL, queuePrefix: prefix.prefix })
  try {
    await prepare?.(database.url)
    const api = await startApi({ ...config, ...env })
    children.push(api)
    children.push(await startWorkerProcess({ ...config, ...env }))
    return {
      url: api.url,
      databaseUrl: database.url,
      async stop() {
        await Promise.all(children.map(child => child.stop()))
        await database.drop()
        await prefix.clear()
      },
    }
  } catch (error) {
    await Promise.all(children.map(child => child.stop('SIGKILL')))
    await database.drop()
    await prefix.clear()
    throw error
  }
}
