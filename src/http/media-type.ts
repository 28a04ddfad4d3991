/** A parsed `Content-Type` or `Accept` entry: the lower-cased `type/subtype` and its parameters. */
export type MediaType = { type: string; params: Map<string, string> }

export function parseMediaType(header: string | null | undefined): MediaType | null {
  if (!header) return null
  const [essence = '', ...rest] = header.split(';')
  const type = essence.trim().toLowerCase()
  if (!type.includes('/')) return null
  const params = new Map<string, string>()
  for (const part of rest) {
    const eq = part.indexOf('=')
    if (eq === -1) continue
    const value = part
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
    params.set(part.slice(0, eq).trim().toLowerCase(), value)
  }
  return { type, params }
}

/** How much an `Accept` header wants `type` (0 when not at all), honouring `*` wildcards and `q`. */
function acceptWeight(accepted: readonly MediaType[], type: string): number {
  const [major] = type.split('/')
  let best = -1
  let weight = 0
  for (const entry of accepted) {
    const specificity =
      entry.type === type ? 2 : entry.type === `${major}/*` ? 1 : entry.type === '*/*' ? 0 : Number.NaN
    if (Number.isNaN(specificity) || specificity < best) continue
    const q = Number(entry.params.get('q') ?? '1')
    best = specificity
    weight = Number.isFinite(q) ? q : 0
  }
  return weight
}

/**
 * The offered media type an `Accept` header prefers most; ties go to the earlier offer, and a
 * missing header or one that accepts none of them gives the first offer.
 */
export function preferredMediaType<T extends string>(accept: string | null, offers: readonly [T, ...T[]]): T {
  if (!accept) return offers[0]
  const accepted = accept
    .split(',')
    .map(parseMediaType)
    .filter((m): m is MediaType => m !== null)
  let choice = offers[0]
  let weight = 0
  for (const offer of offers) {
    const w = acceptWeight(accepted, offer)
    if (w > weight) {
      weight = w
      choice = offer
    }
  }
  return choice
}
