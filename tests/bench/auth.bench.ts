import { createRedis } from '../../jobs/queue/redis'
import { createApp } from '../../src/app'
import { Authenticator } from '../../src/auth/authenticator'
import { createKeyQueries } from '../../src/auth/key-queries'
import type { Principal } from '../../src/auth/principal'
import { RateLimiter } from '../../src/auth/rate-limiter'
import { SessionStore } from '../../src/auth/session-store'
import { createLogger } from '../../src/logger'
import { createHarness } from '../support/harness'
import { fmt, run } from './lib/services'

const ROUNDS = 3
const SECONDS = 10

/** The baseline: every request is taken to be from the one key, with no credential looked at. */
class TakenOnTrust extends Authenticator {
  constructor(
    private readonly principal: Principal,
    ...args: ConstructorParameters<typeof Authenticator>
  ) {
    super(...args)
  }

  override async authenticate(): Promise<Principal> {
    return this.principal
  }
}

/**
 * GET /api/datasets/{id} as a non-admin key, with authentication (key hashed and looked up,
 * owner checked, rate limit spent) and with the key taken on trust: the same app and query
 * otherwise, in alternating rounds of wrk.
 */
export async function auth(): Promise<Record<string, string>> {
  const h = await createHarness({ RATE_LIMIT_PER_SECOND: '100000000', RATE_LIMIT_BURST: '100000000' })
  const servers: { stop(): Promise<void> }[] = []
  try {
    const key = await h.request('POST', '/api/keys', { json: { name: 'bench' } })
    const principal: Principal = { id: key.body.id, keyId: key.body.id, name: 'bench', admin: false }
    const dataset = (
      await h.request('POST', '/api/datasets', { key: key.body.key, json: { name: 'b', rows: [{ a: 1 }] } })
    ).body.id
    const { config, db, queue, events, streams } = h
    const log = createLogger('silent')
    const redis = createRedis(config.redisUrl, 'api')
    const trusting = createApp({
      config,
      db,
      redis,
      queue,
      events,
      streams,
      log,
      authenticator: new TakenOnTrust(
        principal,
        createKeyQueries(db),
        new RateLimiter(redis, config.queuePrefix, config.auth.rateLimit),
        new SessionStore(redis, config.queuePrefix),
        { adminApiKey: undefined, sessionSecret: config.auth.sessionSecret!, sessionTtlSeconds: 60 },
      ),
    })
    const on = h.app.listen({ port: 3311, hostname: '127.0.0.1' })
    const off = trusting.listen({ port: 3312, hostname: '127.0.0.1' })
    servers.push(
      {
        async stop() {
          await on.stop(true)
        },
      },
      {
        async stop() {
          await off.stop(true)
          redis.disconnect()
        },
      },
    )
    const wrk = async (port: number, seconds: number) => {
      const out = await run([
        'wrk',
        '-t2',
        '-c64',
        `-d${seconds}s`,
        '-H',
        `Authorization: Bearer ${key.body.key}`,
        `http://127.0.0.1:${port}/api/datasets/${dataset}`,
      ])
      if (/Non-2xx/.test(out)) throw new Error(`wrk saw failed requests:\n${out}`)
      return Number(/Requests\/sec:\s+([\d.]+)/.exec(out)![1])
    }
    await wrk(3311, 2)
    await wrk(3312, 2)
    const rates = { on: [] as number[], off: [] as number[] }
    for (let round = 0; round < ROUNDS; round++) {
      rates.on.push(await wrk(3311, SECONDS))
      rates.off.push(await wrk(3312, SECONDS))
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!
    const [withAuth, without] = [median(rates.on), median(rates.off)]
    return {
      [`GET /api/datasets/{id}, authenticated (wrk -c64, median of ${ROUNDS} × ${SECONDS} s)`]: `${fmt(withAuth, 0)} req/s; every round: ${rates.on.map(r => fmt(r, 0)).join(', ')}`,
      'the same, key taken on trust': `${fmt(without, 0)} req/s; every round: ${rates.off.map(r => fmt(r, 0)).join(', ')}`,
      'cost of authentication': `${fmt((1 - withAuth / without) * 100, 1)} % of throughput`,
    }
  } finally {
    for (const server of servers) await server.stop()
    await h.close()
  }
}
