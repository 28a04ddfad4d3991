import { expect, test } from 'bun:test'
import { groupFieldErrors, summaryLines } from '../../../src/dashboard/client/field-errors'
import { compactParams } from '../../../src/dashboard/client/forms/analysis-forms'
import { groupbyColumns } from '../../../src/dashboard/client/results/groupby'
import { parseRoute } from '../../../src/dashboard/client/router'
import { rawUploadHeaders } from '../../../src/dashboard/client/upload-headers'

test('groupFieldErrors gives each field its messages and keeps the rest, with their paths, for the summary', () => {
  const grouped = groupFieldErrors(
    [
      { path: 'body.params.features.1', message: 'the target cannot also be a feature' },
      { path: 'body.params.features.2', message: 'no column named "x"' },
      { path: 'body.params.bins', message: 'Expected integer' },
      { path: 'body.params', message: 'Unexpected property' },
      { path: 'body.kind', message: 'Expected one of' },
    ],
    'body.params',
    ['features', 'target'],
  )
  expect(Object.fromEntries(grouped.byField)).toEqual({
    features: ['the target cannot also be a feature', 'no column named "x"'],
  })
  expect(grouped.general).toEqual([
    'body.params.bins: Expected integer',
    'body.params: Unexpected property',
    'body.kind: Expected one of',
  ])
})

test('compactParams leaves out empty values so the API applies its defaults', () => {
  expect(compactParams({ column: 'height', bins: undefined, columns: [], method: 'iqr', threshold: 0 })).toEqual({
    column: 'height',
    method: 'iqr',
    threshold: 0,
  })
})

test('groupbyColumns orders the output as asked for, whatever order the stored rows have', () => {
  const result = { by: ['species'], rows: [{ count_age: 1, mean_height: 12, species: 'birch' }] }
  expect(
    groupbyColumns(result, [
      { fn: 'mean', column: 'height' },
      { fn: 'count', column: 'age' },
    ]),
  ).toEqual(['species', 'mean_height', 'count_age'])
})

test('parseRoute reads the screens from the hash', () => {
  expect(parseRoute('')).toEqual({ name: 'datasets' })
  expect(parseRoute('#/')).toEqual({ name: 'datasets' })
  expect(parseRoute('#/datasets/abc')).toEqual({ name: 'dataset', id: 'abc' })
  expect(parseRoute('#/tasks/a%20b')).toEqual({ name: 'task', id: 'a b' })
  expect(parseRoute('#/nowhere')).toEqual({ name: 'not-found', hash: '#/nowhere' })
})

test('summaryLines leads with the detail and adds only what it does not already say', () => {
  expect(summaryLines('line 3: expected 2 fields, found 1', ['line 3: expected 2 fields, found 1'])).toEqual([
    'line 3: expected 2 fields, found 1',
  ])
  expect(summaryLines('The request is invalid; see errors', ['body.kind: Expected one of'])).toEqual([
    'The request is invalid; see errors',
    'body.kind: Expected one of',
  ])
})

test('rawUploadHeaders types a file by its name, gzip included, and keeps the browser’s type otherwise', () => {
  expect(rawUploadHeaders('trees.csv', '')).toEqual({ 'content-type': 'text/csv' })
  expect(rawUploadHeaders('rows.NDJSON', '')).toEqual({ 'content-type': 'application/x-ndjson' })
  expect(rawUploadHeaders('rows.jsonl.gz', 'application/gzip')).toEqual({
    'content-type': 'application/x-ndjson',
    'content-encoding': 'gzip',
  })
  expect(rawUploadHeaders('array.json', 'application/json')).toEqual({ 'content-type': 'application/json' })
  expect(rawUploadHeaders('sheet.xlsx', 'application/vnd.ms-excel')).toEqual({
    'content-type': 'application/vnd.ms-excel',
  })
  expect(rawUploadHeaders('blob', '')).toEqual({ 'content-type': 'application/octet-stream' })
})
