import { api } from './api'
import type { Session } from './types'

/**
 * The cookie session of the API. The key is sent once, in a POST body, and never kept: the
 * HttpOnly cookie the API sets carries the session from then on, EventSource streams included.
 */
export const signIn = (key: string) => api<Session>('/api/session', { method: 'POST', json: { key } })

export const currentSession = () => api<Session>('/api/session')

export const signOut = () => api<null>('/api/session', { method: 'DELETE' })
