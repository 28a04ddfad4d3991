import { AnalysisError } from '../kernels/analysis-error'

/** A result whose JSON passes MAX_RESULT_BYTES: the task fails rather than store part of it. */
export class ResultTooLargeError extends AnalysisError {
  override name = 'ResultTooLargeError'

  constructor(maxBytes: number) {
    super(
      `the result would take more than ${maxBytes} bytes of JSON, the most a result may take (MAX_RESULT_BYTES); ask for less of it, e.g. fewer groups or columns`,
    )
  }
}

/** Written member by member down to this depth; below it, each value at once. */
const SPLIT_DEPTH = 2
const RUN_CHARS = 256 * 1024

const isPlain = (value: object) => {
  const proto = Object.getPrototypeOf(value)
  return (proto === Object.prototype || proto === null) && !('toJSON' in value)
}

/** What JSON.stringify leaves out of an object, and writes as null in an array. */
const isUnwritable = (value: unknown) => value === undefined || typeof value === 'function' || typeof value === 'symbol'

/**
 * The text JSON.stringify gives a result, given up as soon as it passes `maxBytes`. The root and
 * its members are written member by member, so a result of a million groups or a thousand
 * columns is measured as it is written instead of being held whole first; deeper values (one
 * group, one column's profile) are bounded by the analysis's own limits and written at once.
 */
export function resultJson(result: unknown, maxBytes: number): string {
  const pieces: string[] = []
  let bytes = 0
  const add = (text: string) => {
    bytes += Buffer.byteLength(text)
    if (bytes > maxBytes) throw new ResultTooLargeError(maxBytes)
    pieces.push(text)
  }
  /**
   * Items written whole go a run at a time, runs of about RUN_CHARS: a JSON.stringify per item
   * took 2.5 times as long as one for the whole result (a million groups), a run per call as long.
   */
  const writeRuns = (items: unknown[]) => {
    let run = 1
    for (let i = 0; i < items.length; ) {
      const text = JSON.stringify(items.slice(i, i + run))
      add(`${i > 0 ? ',' : ''}${text.slice(1, -1)}`)
      i += run
      run = text.length < RUN_CHARS ? run * 2 : Math.max(1, run >> 1)
    }
  }
  const write = (value: unknown, depth: number): void => {
    if (
      depth >= SPLIT_DEPTH ||
      value === null ||
      typeof value !== 'object' ||
      !(Array.isArray(value) || isPlain(value))
    ) {
      add(JSON.stringify(value) ?? 'null')
      return
    }
    if (Array.isArray(value)) {
      add('[')
      if (depth + 1 >= SPLIT_DEPTH) writeRuns(value)
      else
        value.forEach((item, i) => {
          if (i > 0) add(',')
          write(isUnwritable(item) ? null : item, depth + 1)
        })
      add(']')
      return
    }
    add('{')
    let first = true
    for (const [key, item] of Object.entries(value)) {
      if (isUnwritable(item)) continue
      add(`${first ? '' : ','}${JSON.stringify(key)}:`)
      first = false
      write(item, depth + 1)
    }
    add('}')
  }
  write(result, 0)
  return pieces.join('')
}
