import type { Redis } from 'ioredis'

/**
 * A token bucket per key in Redis, so the limit holds across api processes. The script hands
 * out up to `wanted` tokens at once, or says how long until the next one; time comes from Redis
 * so that the processes' clocks do not matter.
 */
const TAKE_SCRIPT = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
local granted = math.min(wanted, math.floor(tokens))
tokens = tokens - granted
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
if granted > 0 then return {granted, 0} end
return {0, math.ceil((1 - tokens) * 1000 / rate)}
`

export type RateLimit = { perSecond: number; burst: number }

/** Leases left over are dropped after this long, so an idle process holds no budget for long. */
const LEASE_MS = 1000
const MAX_LEASES = 10_000

type Lease = { tokens: number; until: number }
/** A lease request's outcome: tokens leased, the wait until the next token, or Redis unavailable. */
type Outcome = { kind: 'leased' } | { kind: 'wait'; ms: number } | { kind: 'open' }

const COMMAND = 'datadynamoTakeTokens'
type WithTakeCommand = Redis & {
  [COMMAND](key: string, perSecond: number, burst: number, wanted: number): Promise<[number, number]>
}

/**
 * Takes one token per request. A process leases a few tokens at a time (at most a tenth of a
 * second's worth), so that a busy key costs one Redis round trip per lease, not per request.
 * When Redis cannot answer, requests pass: the limit protects the service, and refusing
 * everything while Redis is away would be the outage it guards against.
 */
export class RateLimiter {
  private readonly leases = new Map<string, Lease>()
  private readonly inFlight = new Map<string, Promise<Outcome>>()
  private readonly leaseSize: number
  private readonly redis: WithTakeCommand

  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly limit: RateLimit,
    private readonly onError: (error: Error) => void = () => {},
  ) {
    // A defined command runs by its SHA (EVALSHA), sending the script only once.
    redis.defineCommand(COMMAND, { numberOfKeys: 1, lua: TAKE_SCRIPT })
    this.redis = redis as WithTakeCommand
    this.leaseSize = Math.max(1, Math.min(32, Math.floor(limit.perSecond / 10)))
  }

  /** 0 when the request may go ahead, else how many milliseconds until it may. */
  async take(bucket: string): Promise<number> {
    for (;;) {
      if (this.useLease(bucket)) return 0
      let pending = this.inFlight.get(bucket)
      if (!pending) {
        pending = this.lease(bucket).finally(() => this.inFlight.delete(bucket))
        this.inFlight.set(bucket, pending)
      }
      const outcome = await pending
      if (outcome.kind === 'wait') return outcome.ms
      if (outcome.kind === 'open') return 0
    }
  }

  private useLease(bucket: string): boolean {
    const lease = this.leases.get(bucket)
    if (!lease) return false
    if (lease.until <= Date.now()) {
      this.leases.delete(bucket)
      return false
    }
    if (--lease.tokens === 0) this.leases.delete(bucket)
    return true
  }

  private async lease(bucket: string): Promise<Outcome> {
    let granted: number
    let wait: number
    try {
      ;[granted, wait] = await this.redis[COMMAND](
        `${this.prefix}:rate:${bucket}`,
        this.limit.perSecond,
        this.limit.burst,
        this.leaseSize,
      )
    } catch (error) {
      this.onError(error as Error)
      return { kind: 'open' }
    }
    if (granted === 0) return { kind: 'wait', ms: Math.max(1, wait) }
    if (this.leases.size >= MAX_LEASES) this.leases.clear()
    this.leases.set(bucket, { tokens: granted, until: Date.now() + LEASE_MS })
    return { kind: 'leased' }
  }
}
