import { C_0, C_9, C_DOT, C_E, C_E_UPPER, C_MINUS, C_PLUS, CellKind, classifyText, parseIsoDatetime } from './cells'

/** Powers of ten that a double holds exactly (10^22 is the last). */
const EXACT_POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i)

/** Significant digits whose integer value a double still holds exactly (< 2^53). */
const MAX_FAST_DIGITS = 15

/** First characters after which a cell can only be a string: not a digit, sign, dot, or the start of NA/null/NaN/true/false. */
function startsPlainString(c: number): boolean {
  if (c >= C_0 && c <= C_9) return false
  switch (c) {
    case C_MINUS:
    case C_DOT:
    case 78: // N
    case 110: // n
    case 116: // t
    case 84: // T
    case 102: // f
    case 70: // F
      return false
  }
  // Empty cells never get here; any other character starts text that no rule reads as a value.
  return c !== C_PLUS
}

/** The general case: the cell's text typed by `classifyText`, its value written to `values[r]`. */
export function typeText(text: string, values: Float64Array, r: number): CellKind {
  const kind = classifyText(text)
  switch (kind) {
    case CellKind.Integer:
    case CellKind.Number:
      values[r] = Number(text)
      break
    case CellKind.Datetime:
      values[r] = parseIsoDatetime(text)
      break
    case CellKind.Boolean:
      values[r] = text.length === 4 ? 1 : 0
      break
    default:
      values[r] = Number.NaN
  }
  return kind
}

/**
 * Types the cell `s[a, b)` exactly as `classifyText(s.slice(a, b))` would, and writes its value
 * (a number, epoch milliseconds, or 1/0 for booleans) to `values[r]`. Plain decimals of up to
 * 15 significant digits are read straight from the characters, with no string made: such a
 * mantissa and a power of ten up to 10^22 are both exact doubles, so one multiplication or
 * division rounds correctly and gives the same double as Number() (Clinger's fast path).
 * Anything else takes the general path.
 */
export function typeRange(s: string, a: number, b: number, values: Float64Array, r: number): CellKind {
  if (a === b) {
    values[r] = Number.NaN
    return CellKind.Null
  }
  let i = a
  let c = s.charCodeAt(i)
  if (startsPlainString(c)) {
    values[r] = Number.NaN
    return CellKind.String
  }
  const negative = c === C_MINUS
  if (negative) i++
  const intStart = i
  let mantissa = 0
  let digits = 0
  while (i < b) {
    c = s.charCodeAt(i)
    if (c < C_0 || c > C_9) break
    if (digits > 0 || c !== C_0) {
      mantissa = mantissa * 10 + (c - C_0)
      digits++
    }
    i++
  }
  const intDigits = i - intStart
  if (i === b) {
    if (intDigits === 0 || digits > MAX_FAST_DIGITS) return typeText(s.slice(a, b), values, r)
    // Leading zeros keep the text (a zip code stays "007").
    if (intDigits > 1 && s.charCodeAt(intStart) === C_0) {
      values[r] = Number.NaN
      return CellKind.String
    }
    values[r] = negative ? -mantissa : mantissa
    return CellKind.Integer
  }
  let fracDigits = 0
  if (c === C_DOT) {
    i++
    const fracStart = i
    while (i < b) {
      c = s.charCodeAt(i)
      if (c < C_0 || c > C_9) break
      if (digits > 0 || c !== C_0) {
        mantissa = mantissa * 10 + (c - C_0)
        digits++
      }
      i++
    }
    fracDigits = i - fracStart
  }
  let exponent = 0
  if (i < b) {
    // An exponent, a date, or text: the general path decides.
    if (c !== C_E && c !== C_E_UPPER) return typeText(s.slice(a, b), values, r)
    i++
    let expNegative = false
    c = s.charCodeAt(i)
    if (c === C_MINUS || c === C_PLUS) {
      expNegative = c === C_MINUS
      i++
    }
    const expStart = i
    while (i < b && i - expStart < 4) {
      c = s.charCodeAt(i)
      if (c < C_0 || c > C_9) break
      exponent = exponent * 10 + (c - C_0)
      i++
    }
    if (i === expStart || i !== b) return typeText(s.slice(a, b), values, r)
    if (expNegative) exponent = -exponent
  }
  if (intDigits + fracDigits === 0 || digits > MAX_FAST_DIGITS) return typeText(s.slice(a, b), values, r)
  const scale = exponent - fracDigits
  if (scale < -22 || scale > 22) return typeText(s.slice(a, b), values, r)
  const value = scale >= 0 ? mantissa * EXACT_POW10[scale]! : mantissa / EXACT_POW10[-scale]!
  values[r] = negative ? -value : value
  return CellKind.Number
}
