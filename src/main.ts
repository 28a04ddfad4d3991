import { TaskEventHub } from '../jobs/events/event-hub'
import { createAnalysisQueue } from '../jobs/queue/queues'
import { createRedis } from '../jobs/queue/redis'
import { createApp, createAuthenticator, revocationHandlers } from './app'
import { ensureAdministratorKey, withSessionSecret } from './auth/instance-secrets'
import { listenForRevocations } from './auth/revocations'
import { loadConfig } from './config'
import { createDb } from './db/client'
import { runMigrations } from './db/migrate'
import { SseStreams } from './http/sse'
import { createLogger } from './logger'

const environment = loadConfig()
const log = createLogger(environment.logLevel, { service: 'api' })

await runMigrations(environment.databaseUrl)
const db = createDb(environment.databaseUrl, { max: environment.databasePoolSize, applicationName: 'datadynamo-api' })
const config = await withSessionSecret(environment, db)
await ensureAdministratorKey(config, db, log)
const redis = createRedis(config.redisUrl, 'api')
redis.on('error', error => log.warn('redis connection error', { error: error.message }))
const queue = createAnalysisQueue(redis, config.queuePrefix)
queue.on('error', error => log.warn('queue error', { error: error.message }))

const subscriber = createRedis(config.redisUrl, 'blocking')
subscriber.on('error', error => log.warn('redis subscriber error', { error: error.message }))
const events = new TaskEventHub(subscriber, config.queuePrefix, log)
await events.start()
const streams = new SseStreams()
const authenticator = createAuthenticator({ config, db, redis, log })
await listenForRevocations(subscriber, config.queuePrefix, revocationHandlers(authenticator, streams))

const app = createApp({ config, db, redis, queue, events, streams, log, authenticator }).listen(config.port)
log.info('api listening', { port: app.server?.port })

async function shutdown(signal: string): Promise<void> {
  log.info('shutting down', { signal })
  // Open streams would hold the server: end them (clients reconnect elsewhere), then stop
  // accepting and let requests in flight finish.
  streams.closeAll()
  await app.stop()
  await events.close()
  await queue.close()
  redis.disconnect()
  await db.$client.end({ timeout: 5 })
  process.exit(0)
}

process.once('SIGTERM', () => void shutdown('SIGTERM'))
process.once('SIGINT', () => void shutdown('SIGINT'))
