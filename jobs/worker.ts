import { parseArgs } from 'node:util'
import { loadConfig } from '../src/config'
import { createDb } from '../src/db/client'
import { createLogger } from '../src/logger'
import { startAnalysisWorker } from './analysis-worker'
import { createRedis } from './redis'

const config = loadConfig()
const { values: args } = parseArgs({ options: { concurrency: { type: 'string' } } })
const concurrency = args.concurrency === undefined ? config.workerConcurrency : Number(args.concurrency)
if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error('--concurrency must be a positive integer')

const log = createLogger(config.logLevel, { service: 'worker' })
const db = createDb(config.databaseUrl, { max: 2, applicationName: 'datadynamo-worker' })
const connection = createRedis(config.redisUrl, 'worker')
connection.on('error', error => log.warn('redis connection error', { error: error.message }))

const worker = startAnalysisWorker({
  connection,
  prefix: config.queuePrefix,
  concurrency,
  databaseUrl: config.databaseUrl,
  db,
  log,
})
log.info('worker started', { concurrency, queue_prefix: config.queuePrefix })

async function shutdown(signal: string): Promise<void> {
  log.info('shutting down', { signal })
  await worker.close()
  connection.disconnect()
  await db.$client.end({ timeout: 5 })
  process.exit(0)
}

process.once('SIGTERM', () => void shutdown('SIGTERM'))
process.once('SIGINT', () => void shutdown('SIGINT'))
