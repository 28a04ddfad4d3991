import type { JsonCell } from '../../storage/columns'

/**
 * What one raw cell holds. The order matters: it is also the widening lattice used when a
 * column's cells disagree (see `widen`).
 */
export const CellKind = { Null: 0, Integer: 1, Number: 2, Boolean: 3, Datetime: 4, String: 5 } as const
export type CellKind = (typeof CellKind)[keyof typeof CellKind]

/** Text cells that mean "no value". */
const NULL_TEXT = new Set(['', 'NA', 'null', 'NaN'])

/** Character codes the number scanners compare against. */
export const C_0 = 48
export const C_9 = 57
export const C_MINUS = 45
export const C_PLUS = 43
export const C_DOT = 46
export const C_E = 101
export const C_E_UPPER = 69

const isDigit = (c: number) => c >= C_0 && c <= C_9

/**
 * Classifies a number written in text without allocating. Integers are only those written
 * canonically (no sign other than '-', no leading zeros), so that storing them as numbers and
 * writing them back out gives the same text; `007` stays a string, as a zip code should.
 */
function classifyNumeric(s: string): CellKind {
  const n = s.length
  let i = 0
  if (s.charCodeAt(0) === C_MINUS) i = 1
  const intStart = i
  while (i < n && isDigit(s.charCodeAt(i))) i++
  const intDigits = i - intStart
  if (i === n) {
    if (intDigits === 0) return CellKind.String
    if (intDigits > 1 && s.charCodeAt(intStart) === C_0) return CellKind.String
    // Beyond ±2^53 a double cannot hold every integer: keep the text exactly.
    if (intDigits >= 16 && !Number.isSafeInteger(Number(s))) return CellKind.String
    return CellKind.Integer
  }
  let fracDigits = 0
  if (s.charCodeAt(i) === C_DOT) {
    i++
    const fracStart = i
    while (i < n && isDigit(s.charCodeAt(i))) i++
    fracDigits = i - fracStart
  }
  if (intDigits + fracDigits === 0) return CellKind.String
  if (i < n) {
    const c = s.charCodeAt(i)
    if (c !== C_E && c !== C_E_UPPER) return CellKind.String
    i++
    const sign = s.charCodeAt(i)
    if (sign === C_MINUS || sign === C_PLUS) i++
    const expStart = i
    while (i < n && isDigit(s.charCodeAt(i))) i++
    if (i === expStart || i !== n) return CellKind.String
  }
  return Number.isFinite(Number(s)) ? CellKind.Number : CellKind.String
}

const ISO_DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/

/**
 * ISO 8601 date or date-time to epoch milliseconds (UTC when no offset is given), or NaN.
 * More than millisecond precision is refused so that the stored value is the written one.
 */
export function parseIsoDatetime(s: string): number {
  const m = ISO_DATETIME.exec(s)
  if (!m) return Number.NaN
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', zone] = m
  const year = Number(y)
  const month = Number(mo) - 1
  const day = Number(d)
  const hour = Number(h)
  const minute = Number(mi)
  const second = Number(sec)
  const ms = Number(frac.padEnd(3, '0'))
  const utc = Date.UTC(year, month, day, hour, minute, second, ms)
  const check = new Date(utc)
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month ||
    check.getUTCDate() !== day ||
    check.getUTCHours() !== hour ||
    check.getUTCMinutes() !== minute ||
    check.getUTCSeconds() !== second
  )
    return Number.NaN
  if (!zone || zone === 'Z') return utc
  const sign = zone[0] === '-' ? -1 : 1
  const digits = zone.slice(1).replace(':', '')
  const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))
  return utc - sign * offsetMinutes * 60_000
}

function looksLikeDate(s: string): boolean {
  return s.length >= 10 && s.charCodeAt(4) === C_MINUS && isDigit(s.charCodeAt(0)) && s.charCodeAt(7) === C_MINUS
}

function isBooleanText(s: string): boolean {
  if (s.length === 4) return s.toLowerCase() === 'true'
  if (s.length === 5) return s.toLowerCase() === 'false'
  return false
}

/** The kind of a CSV (text) cell. */
export function classifyText(s: string): CellKind {
  if (NULL_TEXT.has(s)) return CellKind.Null
  const c = s.charCodeAt(0)
  if (isDigit(c) || c === C_MINUS || c === C_DOT) {
    const kind = classifyNumeric(s)
    if (kind !== CellKind.String) return kind
    if (looksLikeDate(s) && !Number.isNaN(parseIsoDatetime(s))) return CellKind.Datetime
    return CellKind.String
  }
  if (isBooleanText(s)) return CellKind.Boolean
  return CellKind.String
}

/**
 * The kind of a JSON value. JSON already says what is a number or a boolean; a JSON string
 * is a string unless it is an ISO 8601 date, since JSON has no date type of its own.
 */
export function classifyJson(v: JsonCell): CellKind {
  if (v === null) return CellKind.Null
  switch (typeof v) {
    case 'number':
      return Number.isSafeInteger(v) ? CellKind.Integer : CellKind.Number
    case 'boolean':
      return CellKind.Boolean
    default:
      return looksLikeDate(v) && !Number.isNaN(parseIsoDatetime(v)) ? CellKind.Datetime : CellKind.String
  }
}

/** The narrowest kind that holds both: integers widen to numbers, any other mix to strings. */
export function widen(a: CellKind, b: CellKind): CellKind {
  if (a === b || b === CellKind.Null) return a
  if (a === CellKind.Null) return b
  if ((a === CellKind.Integer && b === CellKind.Number) || (a === CellKind.Number && b === CellKind.Integer))
    return CellKind.Number
  return CellKind.String
}
