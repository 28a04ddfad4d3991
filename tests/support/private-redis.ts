import { type Subprocess, spawn } from 'bun'
import { Redis } from 'ioredis'
import { waitFor } from './harness'

export type PrivateRedis = {
  url: string
  /** A connection of the test's own, for probing and configuring this server. */
  admin: Redis
  /** Starts the server (again, on the same port) and waits until it answers. */
  start(): Promise<void>
  kill(): Promise<void>
}

/** A redis-server of one test file's own, on a port of its own, to be stopped, restarted or filled up. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = 20_000 + Math.floor(Math.random() * 10_000)
  const url = `redis://127.0.0.1:${port}`
  const admin = new Redis(url, { lazyConnect: true, retryStrategy: () => 100 })
  // Refused connections while the server starts are expected; the ping in start() waits them out.
  admin.on('error', () => {})
  let server: Subprocess | undefined
  const redis: PrivateRedis = {
    url,
    admin,
    async start() {
      server = spawn(
        ['redis-server', '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        {
          stdout: 'ignore',
          stderr: 'inherit',
        },
      )
      await waitFor(async () => (await admin.ping().catch(() => null)) === 'PONG', 10_000, 'redis to start')
    },
    async kill() {
      server?.kill('SIGKILL')
      await server?.exited
    },
  }
  await redis.start()
  return redis
}
