import { parseArgs } from 'node:util'
import { loadConfig } from '../../src/config'
import { createDb } from '../../src/db/client'
import { createLogger } from '../../src/logger'
import { createRedis } from '../queue/redis'
import { startAnalysisWorkers } from './analysis-workers'

const config = loadConfig()
const { values: args } = parseArgs({ options: { concurrency: { type: 'string' }, threads: { type: 'string' } } })
const positive = (value: string | undefined, fallback: number, flag: string) => {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer`)
  return n
}
const workerConcurrency = positive(args.concurrency, config.workerConcurrency, '--concurrency')
const analysisThreads = positive(args.threads, config.analysisThreads, '--threads')

const log = createLogger(config.logLevel, { service: 'worker' })
const db = createDb(config.databaseUrl, { max: 2, applicationName: 'datadynamo-worker' })
const connections = [] as ReturnType<typeof createRedis>[]
const connection = () => {
  const redis = createRedis(config.redisUrl, 'blocking')
  redis.on('error', error => log.warn('redis connection error', { error: error.message }))
  connections.push(redis)
  return redis
}

const workers = startAnalysisWorkers({ connection, config: { ...config, workerConcurrency, analysisThreads }, db, log })
log.info('worker started', {
  concurrency: workerConcurrency,
  threads: analysisThreads,
  queue_prefix: config.queuePrefix,
})

async function shutdown(signal: string): Promise<void> {
  log.info('shutting down', { signal })
  await workers.close()
  for (const redis of connections) redis.disconnect()
  await db.$client.end({ timeout: 5 })
  process.exit(0)
}

process.once('SIGTERM', () => void shutdown('SIGTERM'))
process.once('SIGINT', () => void shutdown('SIGINT'))
