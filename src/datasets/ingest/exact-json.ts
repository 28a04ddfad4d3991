/** A run of 16 digits: the shortest text that can hold an integer beyond ±2^53. */
const LONG_DIGITS = /\d{16}/

/** An integer literal (no fraction, no exponent) that a double cannot hold exactly. */
function isUnsafeIntegerLiteral(source: string): boolean {
  return !Number.isSafeInteger(Number(source)) && /^-?\d+$/.test(source)
}

type ReviverContext = { source?: string }

/** Keeps integers beyond ±2^53 as their exact text instead of rounding them to a double. */
function keepUnsafeIntegers(_key: string, value: unknown, context?: ReviverContext): unknown {
  if (typeof value === 'number' && context?.source !== undefined && isUnsafeIntegerLiteral(context.source))
    return context.source
  return value
}

/**
 * JSON.parse, except that an integer too large for a double comes back as its exact text (so a
 * column holding one becomes a string column, as DESIGN asks). JSON.parse itself would round
 * 9007199254740993 to …992 without a word; the reviver sees each number's source text (Bun
 * supports JSON.parse source text access), and runs only when the text has a long digit run.
 */
export function parseJsonExact(text: string): unknown {
  if (!LONG_DIGITS.test(text)) return JSON.parse(text)
  return JSON.parse(text, keepUnsafeIntegers as (key: string, value: unknown) => unknown)
}
