/** Who a request acts for. */
export type Principal = {
  /** The key's id, or `admin` for `ADMIN_API_KEY` from the environment. */
  id: string
  /** The stored key; null for the environment's administrator key. */
  keyId: string | null
  name: string
  admin: boolean
  /** The browser session the request came with, if it came with one rather than a key. */
  sessionId?: string
}

export const ENVIRONMENT_ADMIN_ID = 'admin'

/** Whose data a principal may see: its own key's, or everybody's (null) for an administrator. */
export const visibleOwner = (principal: Principal): string | null => (principal.admin ? null : principal.keyId)
