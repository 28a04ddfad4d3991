import { type Child, envOf, startApi, startWorkerProcess } from '../../support/processes'
import { createTestDatabase, createTestPrefix, REDIS_URL } from '../../support/services'

export type System = {
  url: string
  /** Stops the api and starts a new one on the same port, as a deployment would. */
  restartApi(): Promise<void>
  stop(): Promise<void>
}

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
  const config = { ...envOf({ databaseUrl: database.url, redisUrl: REDIS_URL, queuePrefix: prefix.prefix }), ...env }
  let api: (Child & { url: string }) | undefined
  let worker: Child | undefined
  const release = async (signal?: NodeJS.Signals) => {
    await Promise.all([api?.stop(signal), worker?.stop(signal)])
    await database.drop()
    await prefix.clear()
  }
  try {
    await prepare?.(database.url)
    api = await startApi(config)
    worker = await startWorkerProcess(config)
  } catch (error) {
    await release('SIGKILL')
    throw error
  }
  const url = api.url
  return {
    url,
    async restartApi() {
      await api?.stop()
      api = await startApi({ ...config, PORT: new URL(url).port })
    },
    stop: () => release(),
  }
}
