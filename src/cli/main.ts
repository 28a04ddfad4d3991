import { parseArgs } from 'node:util'
import { loadConfig } from '../config'
import { runMigrations } from '../db/migrate'

const USAGE = `usage: bun run cli <command>

commands:
  migrate     apply the database migrations (as the api does at start-up)
  help        show this text`

/** Operator commands, run with the same configuration (environment) as the api. */
async function main(argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: false })
  const [command] = positionals
  switch (command) {
    case 'migrate':
      await runMigrations(loadConfig().databaseUrl)
      console.log('migrations applied')
      return 0
    case undefined:
    case 'help':
      console.log(USAGE)
      return 0
    default:
      console.error(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`)
      return 2
  }
}

process.exit(await main(process.argv.slice(2)))
