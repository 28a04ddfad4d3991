import { describe, expect, test } from 'bun:test'
import { AnalysisError } from '../../../../jobs/kernels/analysis-error'
import { ResultTooLargeError, resultJson } from '../../../../jobs/threads/result-json'

const RESULTS: [string, unknown][] = [
  [
    'a group-by',
    {
      by: ['k'],
      rows: [
        { k: 'é "q"', sum_v: 1.5, n: null },
        { k: null, sum_v: Number.NaN, n: Infinity },
      ],
    },
  ],
  [
    'a profile',
    {
      row_count: 2,
      columns: [{ name: 'x', histogram: { edges: [0, 1], counts: [2] }, top: [{ value: '😀', count: 2 }] }],
    },
  ],
  [
    'a correlation',
    {
      method: 'pearson',
      columns: ['a', 'b'],
      matrix: [
        [1, null],
        [null, 1],
      ],
    },
  ],
  ['members and items that are undefined', { a: undefined, b: [undefined, 1], c: () => 1 }],
  ['empty containers', { a: {}, b: [], c: [[], {}] }],
  ['a top-level array', [1, 'two', { three: 3 }]],
  ['a date and a value with toJSON', { at: new Date(0), own: { toJSON: () => 'mine' } }],
  [
    'many rows of uneven sizes, written in runs',
    {
      rows: Array.from({ length: 5000 }, (_, i) => ({ i, s: i % 997 === 0 ? 'x'.repeat(300_000) : 'é', u: undefined })),
    },
  ],
  ['a number', 42],
  ['a string', 'line\nbreak \u2028'],
  ['null', null],
]

describe('resultJson', () => {
  test.each(RESULTS)('writes %s exactly as JSON.stringify does', (_name, value) => {
    expect(resultJson(value, 64 << 20)).toBe(JSON.stringify(value))
  })

  test('a result of exactly the limit is kept; one byte more fails the task, naming the setting', () => {
    const value = { rows: ['aé'] }
    const bytes = Buffer.byteLength(JSON.stringify(value))
    expect(resultJson(value, bytes)).toBe(JSON.stringify(value))
    expect(() => resultJson(value, bytes - 1)).toThrow(ResultTooLargeError)
    expect(() => resultJson(value, bytes - 1)).toThrow(AnalysisError)
    expect(() => resultJson(value, bytes - 1)).toThrow(
      `the result would take more than ${bytes - 1} bytes of JSON, the most a result may take (MAX_RESULT_BYTES); ask for less of it, e.g. fewer groups or columns`,
    )
  })

  test('stops at the member that passes the limit rather than writing the rest', () => {
    let read = 0
    const rows = Array.from({ length: 100_000 }, (_, i) => ({
      get value() {
        read++
        return i
      },
    }))
    expect(() => resultJson({ rows }, 1024)).toThrow(ResultTooLargeError)
    expect(read).toBeLessThan(200)
  })
})
