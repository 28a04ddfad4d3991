import { CellKind, classifyText } from './ingest/cells'

const APOSTROPHE = 39
const MINUS = 45

/** Characters that make a spreadsheet read a cell as a formula (OWASP's CSV injection list). */
const isTrigger = (c: number) => c === 61 || c === 43 || c === MINUS || c === 64 || c === 9 || c === 13

/** A text that, maybe behind apostrophes, starts with a formula character. */
const FORMULA_LIKE = /^'*[=+\-@\t\r]/
const NEUTRALISED = /^'+[=+\-@\t\r]/

/**
 * A string cell as written into CSV output: one that a spreadsheet would run as a formula
 * gets a leading apostrophe, the spreadsheets' own mark for "this is text". A negative number
 * is left alone (it runs nothing). Text that already starts with apostrophes before a formula
 * character gets one more, so that `restoreFormula` can always undo this exactly.
 */
export function neutraliseFormula(text: string): string {
  const c = text.charCodeAt(0)
  if (c !== APOSTROPHE && !isTrigger(c)) return text
  if (!FORMULA_LIKE.test(text)) return text
  if (c === MINUS && classifyText(text) !== CellKind.String) return text
  return `'${text}`
}

/**
 * A CSV cell as read by the uploader: the apostrophe that neutralised a formula is dropped,
 * so that our own CSV export uploads back into the same values.
 */
export function restoreFormula(text: string): string {
  return text.charCodeAt(0) === APOSTROPHE && NEUTRALISED.test(text) ? text.slice(1) : text
}
