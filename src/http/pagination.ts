import { invalid } from './problem'

export type Cursor = { createdAt: Date; id: string }
export type Page<T> = { data: T[]; next_cursor: string | null }

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
/**
 * A time as `encodeCursor` writes it: an instant of years 1 to 9999. JavaScript dates reach
 * further (`+275760-…`, `-000001-…`, year 0), and PostgreSQL refuses those.
 */
const CURSOR_TIME = /^(?!0000)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/

export const isUuid = (value: string) => UUID.test(value)

/** Keyset cursors: the (created_at, id) of the last item, opaque to clients. */
export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.createdAt.toISOString()}|${cursor.id}`).toString('base64url')
}

export function decodeCursor(raw: string): Cursor {
  const [time, id, extra] = Buffer.from(raw, 'base64url').toString().split('|')
  const createdAt = new Date(time ?? '')
  const issued =
    time !== undefined &&
    CURSOR_TIME.test(time) &&
    !Number.isNaN(createdAt.getTime()) &&
    createdAt.toISOString() === time
  if (extra !== undefined || !id || !isUuid(id) || !issued)
    throw invalid(
      'The cursor is not valid',
      [{ path: 'query.cursor', message: 'not a cursor this API issued' }],
      'INVALID_CURSOR',
    )
  return { createdAt, id }
}

/** Fetch `limit + 1` rows, then call this: the extra row only says whether there is a next page. */
export function toPage<R extends { createdAt: Date; id: string }, T>(
  rows: R[],
  limit: number,
  render: (row: R) => T,
): Page<T> {
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return {
    data: page.map(render),
    next_cursor: rows.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
  }
}
