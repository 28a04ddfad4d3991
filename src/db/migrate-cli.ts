import { loadConfig } from '../config'
import { runMigrations } from './migrate'

const config = loadConfig()
await runMigrations(config.databaseUrl)
console.log(JSON.stringify({ level: 'info', msg: 'migrations applied' }))
