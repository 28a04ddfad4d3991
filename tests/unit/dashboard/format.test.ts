import { describe, expect, test } from 'bun:test'
import {
  datasetNameOf,
  formatBytes,
  formatCell,
  formatCount,
  formatInstant,
  formatNumber,
  formatParam,
} from '../../../src/dashboard/client/format'

describe('formatNumber', () => {
  test('writes whole numbers with separators and others to four significant digits', () => {
    expect([1234567, 0, -12, 21.4567, 0.123456, 6.911801501779403].map(formatNumber)).toEqual([
      '1,234,567',
      '0',
      '-12',
      '21.46',
      '0.1235',
      '6.912',
    ])
  })

  test('uses exponents for the very small and very large, and a dash for what is missing', () => {
    expect([0.0000123, 1.5e20, null, undefined, Number.NaN].map(formatNumber)).toEqual([
      '1.230e-5',
      '1.500e+20',
      '—',
      '—',
      '—',
    ])
    expect(formatNumber(Number.POSITIVE_INFINITY)).toBe('∞')
  })
})

test('formatBytes steps through decimal units', () => {
  expect([0, 999, 1400, 76_000_000, 2.5e9].map(formatBytes)).toEqual(['0 B', '999 B', '1.4 KB', '76.0 MB', '2.5 GB'])
})

test('formatCount writes integers with separators', () => {
  expect(formatCount(1_000_000)).toBe('1,000,000')
})

test('formatCell keeps values as the API wrote them and shows null as a dash', () => {
  expect([null, 30.1, true, 'oak', 0].map(formatCell)).toEqual(['—', '30.1', 'true', 'oak', '0'])
})

test('formatInstant shortens midnight to a date and writes other instants in UTC', () => {
  expect(formatInstant('2001-03-04T00:00:00.000Z')).toBe('2001-03-04')
  expect(formatInstant('2001-03-04T12:30:05.000Z')).toBe('2001-03-04 12:30:05 UTC')
  expect(formatInstant('2001-03-04T12:30:05.250Z')).toBe('2001-03-04 12:30:05.250 UTC')
  expect(formatInstant('not a date')).toBe('not a date')
})

test('formatParam joins lists and writes aggregations as calls', () => {
  expect(formatParam(['height', 'age'])).toBe('height, age')
  expect(
    formatParam([
      { fn: 'mean', column: 'height' },
      { fn: 'count', column: 'age' },
    ]),
  ).toBe('mean(height), count(age)')
  expect(formatParam(1.5)).toBe('1.5')
  expect(formatParam({ a: 1 })).toBe('{"a":1}')
})

test('datasetNameOf drops the data extensions of a file name', () => {
  expect(['trees.csv', 'trees.csv.gz', 'rows.ndjson', 'a.b.json', 'notes.txt', '.csv'].map(datasetNameOf)).toEqual([
    'trees',
    'trees',
    'rows',
    'a.b',
    'notes.txt',
    '.csv',
  ])
})
