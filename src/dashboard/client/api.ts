import type { FieldError, Problem } from './types'

/** An answer of the API that was not a success, with its problem details when it sent them. */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `The server answered ${problem.status}`)
    this.name = 'ApiError'
  }

  get status(): number {
    return this.problem.status
  }

  get fieldErrors(): FieldError[] {
    return this.problem.errors ?? []
  }
}

type Listener = () => void
const unauthorizedListeners = new Set<Listener>()

/** Called whenever the API says the session is missing or expired. */
export function onUnauthorized(listener: Listener): void {
  unauthorizedListeners.add(listener)
}

/** Turns any answer into a problem: the API's own document, or one made from the status line. */
async function problemOf(response: Response): Promise<Problem> {
  const type = response.headers.get('content-type') ?? ''
  if (type.includes('json')) {
    try {
      const body = (await response.json()) as Problem
      return { ...body, status: response.status }
    } catch {}
  }
  return { status: response.status, title: response.statusText || 'Error' }
}

/** Parses a problem from text the API answered (an XHR body), falling back to the status. */
export function problemFromText(status: number, text: string): Problem {
  try {
    const body = JSON.parse(text) as Problem
    if (body && typeof body === 'object') return { ...body, status }
  } catch {}
  return { status, detail: status === 0 ? 'The connection to the server was lost' : `The server answered ${status}` }
}

export function reportUnauthorized(): void {
  for (const listener of unauthorizedListeners) listener()
}

type RequestOptions = { method?: string; json?: unknown; signal?: AbortSignal }

/**
 * Calls the API on this origin; the session cookie goes along by itself. Resolves with the parsed
 * JSON (or null for an empty answer); rejects with an ApiError for any problem answer.
 */
export async function api<T>(path: string, { method = 'GET', json, signal }: RequestOptions = {}): Promise<T> {
  const init: RequestInit = { method, headers: { accept: 'application/json' }, credentials: 'same-origin' }
  if (signal) init.signal = signal
  if (json !== undefined) {
    init.body = JSON.stringify(json)
    init.headers = { ...init.headers, 'content-type': 'application/json' }
  }
  let response: Response
  try {
    response = await fetch(path, init)
  } catch (error) {
    if (signal?.aborted) throw error
    throw new ApiError({ status: 0, detail: 'The server cannot be reached; check the connection and try again' })
  }
  if (!response.ok) {
    const problem = await problemOf(response)
    if (response.status === 401 && path !== '/api/session') reportUnauthorized()
    throw new ApiError(problem)
  }
  if (response.status === 204) return null as T
  const text = await response.text()
  return (text ? JSON.parse(text) : null) as T
}

/** A query string from the defined values only. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== null) search.set(key, String(value))
  const text = search.toString()
  return text ? `?${text}` : ''
}
