import type { ApiClient } from '../../../support/api-client'
import type { Child } from '../../../support/processes'

/** What a case reports: what the api answered, and what else the case saw that the figures do not say. */
export type Answer = { answer: string; note?: string }

/** What a case gets to send its requests with: a fresh api process of its own (and a worker, if it asks). */
export type HostileContext = {
  url: string
  port: number
  /** The api's queue prefix, where workers publish task events. */
  queuePrefix: string
  api: Child
  /** The worker process, for a case that asks for one. */
  worker: Child | undefined
  /** Requests to the api, as its admin key or another. */
  client: ApiClient
  /** Aborted when the case is stopped (ceiling or time limit). */
  signal: AbortSignal
  /**
   * Measures `send`, which a case calls exactly once, after whatever set-up it needs: the api's
   * peak RSS growth, the time until `send` settles, and the worst GET /health latency meanwhile.
   * A Response is read whole within the measured time and reported as its status and code.
   */
  measure(send: () => Promise<Response | Answer>): Promise<Answer>
}

/**
 * One hostile request (or set of requests) an attacker with an ordinary key could send, and how
 * to send it. `env` is what the api (and worker) run with for this case, beside the defaults.
 */
export type HostileCase = {
  name: string
  env?: Record<string, string>
  /** Whether the case needs a worker process (analyses that must run). */
  worker?: boolean
  run(context: HostileContext): Promise<Answer>
}

/**
 * A response read whole: as the table shows it (its status and, for a problem, its code), its
 * size in bytes, and its body parsed where it is JSON.
 */
export async function readResponse(res: Response): Promise<{ answer: string; size: number; body: unknown }> {
  const text = await res.text()
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    body = text
  }
  const code = (body as { code?: unknown } | null)?.code
  const answer = typeof code === 'string' ? `${res.status} ${code}` : String(res.status)
  return { answer, size: Buffer.byteLength(text), body }
}

/** Answers of many requests, counted by what they were: `5 × 202, 25 × 429 TOO_MANY_TASKS`. */
export function tally(answers: string[]): string {
  const counts = new Map<string, number>()
  for (const answer of answers) counts.set(answer, (counts.get(answer) ?? 0) + 1)
  return [...counts].map(([answer, n]) => `${n} × ${answer}`).join(', ')
}

export const MiB = 1024 * 1024

/** A size in bytes as the table shows it. */
export function bytes(n: number): string {
  if (n >= MiB) return `${(n / MiB).toFixed(1)} MiB`
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`
  return `${n} B`
}
