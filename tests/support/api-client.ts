import { ADMIN_KEY, bearer } from './harness'

type SendInit = { key?: string; body?: BodyInit; type?: string; signal?: AbortSignal }

/**
 * Requests to an api running as a process of its own (at `url`), over HTTP as any client sends
 * them, as `key` (the tests' admin key unless given).
 */
export function apiClient(url: string) {
  const send = (method: string, path: string, init: SendInit = {}) =>
    fetch(`${url}${path}`, {
      method,
      body: init.body,
      headers: { ...bearer(init.key ?? ADMIN_KEY), ...(init.type ? { 'content-type': init.type } : {}) },
      signal: init.signal,
    })

  /** Sends a JSON body and answers the status and the parsed answer. */
  const json = async <T = Record<string, unknown>>(method: string, path: string, body: unknown, key?: string) => {
    const res = await send(method, path, { key, body: JSON.stringify(body), type: 'application/json' })
    return { status: res.status, body: (await res.json()) as T }
  }

  return {
    send,
    json,
    /** GETs a JSON answer. */
    async get<T = Record<string, unknown>>(path: string, key?: string) {
      const res = await send('GET', path, { key })
      return { status: res.status, body: (await res.json()) as T }
    },
    /** Creates a dataset (empty, or with inline `rows`) and answers its id. */
    async dataset(options: { key?: string; rows?: Record<string, unknown>[] } = {}): Promise<string> {
      const { rows, key } = options
      const created = await json<{ id?: string }>('POST', '/api/datasets', { name: 'from a client', rows }, key)
      if (created.status !== 201 || !created.body.id) throw new Error(`could not create a dataset: ${created.status}`)
      return created.body.id
    },
    /** Replaces a dataset's data with a raw body. */
    putData: (id: string, type: string, body: BodyInit, options: { key?: string; signal?: AbortSignal } = {}) =>
      send('PUT', `/api/datasets/${id}/data`, { ...options, body, type }),
    /** A new non-admin key's secret. */
    async newKey(name: string): Promise<string> {
      const created = await json<{ key?: string }>('POST', '/api/keys', { name })
      if (created.status !== 201 || !created.body.key) throw new Error(`could not create a key: ${created.status}`)
      return created.body.key
    },
  }
}

export type ApiClient = ReturnType<typeof apiClient>
