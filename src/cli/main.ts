import { parseArgs } from 'node:util'
import { Redis } from 'ioredis'
import { KeyService } from '../auth/key-service'
import { loadConfig } from '../config'
import { createDb } from '../db/client'
import { runMigrations } from '../db/migrate'
import { ProblemError } from '../http/problem'
import { createLogger } from '../logger'

const USAGE = `usage: bun run cli <command>

commands:
  migrate                           apply the database migrations (as the api does at start-up)
  keys create --name NAME [--admin] create an API key and print it (it is shown this once)
  keys list                         list API keys, without their secrets
  keys rotate ID                    give an API key a new secret and print it; the old one stops
                                    working at once in every api process
  keys revoke ID                    revoke an API key, at once in every api process
  help                              show this text`

class UsageError extends Error {}

async function keys(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { name: { type: 'string' }, admin: { type: 'boolean', default: false } },
  })
  const [action, id] = positionals
  const config = loadConfig()
  const db = createDb(config.databaseUrl, { max: 1, applicationName: 'datadynamo-cli' })
  // Unlike the api's, this connection queues commands until it is up: a revocation is announced
  // right after start-up. One retry, so that an unreachable Redis fails the announcement, not the command.
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000 })
  redis.on('error', () => {})
  const service = new KeyService(db, redis, config.queuePrefix, createLogger('error'))
  try {
    switch (action) {
      case 'create': {
        if (!values.name) throw new UsageError('keys create needs --name NAME')
        const key = await service.create({ name: values.name, admin: values.admin })
        console.log(`created ${key.admin ? 'admin ' : ''}key ${key.id} (${key.name})`)
        console.log(`key: ${key.key}`)
        console.log('Keep it now: it is stored only as a hash and cannot be shown again.')
        return 0
      }
      case 'list': {
        for (let cursor: string | undefined, first = true; first || cursor; first = false) {
          const page = await service.list({ limit: 500, cursor })
          for (const key of page.data)
            console.log(
              [
                key.id,
                key.admin ? 'admin' : 'user',
                key.revoked_at ? `revoked ${key.revoked_at}` : 'active',
                key.name,
              ].join('\t'),
            )
          cursor = page.next_cursor ?? undefined
        }
        return 0
      }
      case 'rotate': {
        if (!id) throw new UsageError('keys rotate needs the key id')
        const key = await service.rotate(id, null)
        console.log(`new secret for ${key.admin ? 'admin ' : ''}key ${key.id} (${key.name})`)
        console.log(`key: ${key.key}`)
        console.log(
          'Keep it now: it is stored only as a hash and cannot be shown again. The old secret no longer works.',
        )
        return 0
      }
      case 'revoke': {
        if (!id) throw new UsageError('keys revoke needs the key id')
        const key = await service.revoke(id)
        console.log(`revoked key ${key.id} (${key.name})`)
        return 0
      }
      default:
        throw new UsageError(`unknown keys command ${JSON.stringify(action ?? '')}`)
    }
  } finally {
    redis.disconnect()
    await db.$client.end()
  }
}

/** Operator commands, run with the same configuration (environment) as the api. */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  try {
    switch (command) {
      case 'migrate':
        await runMigrations(loadConfig().databaseUrl)
        console.log('migrations applied')
        return 0
      case 'keys':
        return await keys(rest)
      case undefined:
      case 'help':
        console.log(USAGE)
        return 0
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`)
    }
  } catch (error) {
    // a refusal the API would answer with a problem (an unknown or revoked key): said plainly
    if (error instanceof ProblemError) {
      console.error(error.message)
      return 1
    }
    if (!(error instanceof UsageError) && !(error instanceof TypeError && 'code' in error)) throw error
    console.error(`${error.message}\n\n${USAGE}`)
    return 2
  }
}

process.exit(await main(process.argv.slice(2)))
