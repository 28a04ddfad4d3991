import { describe, expect, test } from 'bun:test'
import { JsonArrayReader } from '../../../src/datasets/ingest/json-array-reader'
import { NdjsonReader } from '../../../src/datasets/ingest/ndjson-reader'
import { type EncodedChunk, TableBuilder } from '../../../src/datasets/ingest/table-builder'
import { ProblemError } from '../../../src/http/problem'
import { rowsOf } from '../../support/chunks'

const LIMITS = { columns: 10, cellBytes: 100, rows: 100 }

type Reader = {
  push(text: string): Promise<unknown>
  end(): Promise<import('../../../src/datasets/ingest/table-builder').TableSummary>
}

async function read(make: (builder: TableBuilder) => Reader, parts: string[]) {
  const chunks: EncodedChunk[] = []
  const builder = new TableBuilder('json', 2, LIMITS, async chunk => void chunks.push(chunk))
  const reader = make(builder)
  for (const part of parts) await reader.push(part)
  const summary = await reader.end()
  const rows = rowsOf(chunks, summary)
  return rows
}

async function refusal(make: (builder: TableBuilder) => Reader, parts: string[]): Promise<ProblemError> {
  const error = await read(make, parts).catch(e => e)
  if (!(error instanceof ProblemError)) throw new Error(`expected a problem, got ${error}`)
  return error
}

const ndjson = (builder: TableBuilder) => new NdjsonReader(builder, 1000)
const array = (builder: TableBuilder) => new JsonArrayReader(builder, 1000, i => `body.${i}`)
const pieces = (text: string, size: number) => text.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g'))!

describe('NdjsonReader', () => {
  const TEXT = '{"a":1,"b":"x\\ny"}\r\n\n  \n{"a":2.5,"c":true}\n{"a":null,"b":"}{"}'

  test('gives the same rows however the text is cut', async () => {
    const whole = await read(ndjson, [TEXT])
    expect(whole).toEqual([
      { a: 1, b: 'x\ny', c: null },
      { a: 2.5, b: null, c: true },
      { a: null, b: '}{', c: null },
    ])
    for (const size of [1, 2, 5, 11]) expect(await read(ndjson, pieces(TEXT, size))).toEqual(whole)
  })

  test('names the line of bad JSON, of a record that is not an object and of a line over the limit', async () => {
    expect((await refusal(ndjson, ['{"a":1}\n\n{"a":\n'])).errors).toEqual([
      { path: 'line 3', message: expect.any(String), line: 3 },
    ])
    expect((await refusal(ndjson, ['{"a":1}\n"text"\n'])).errors).toEqual([
      { path: 'line 2', message: 'expected an object, found string', line: 2 },
    ])
    const long = await refusal(ndjson, [`{"a":"${'x'.repeat(2000)}`])
    expect(long.code).toBe('LIMIT_EXCEEDED')
  })

  test('refuses an input without records', async () => {
    expect((await refusal(ndjson, ['\n\n'])).code).toBe('EMPTY_DATASET')
  })
})

describe('JsonArrayReader', () => {
  const TEXT = ' [ {"a":1,"s":"[\\"]{,"} ,\n{"a":2,"s":"\\\\"},{"b":9007199254740993}] \n'

  test('finds the elements however the text is cut, strings and escapes included', async () => {
    const whole = await read(array, [TEXT])
    expect(whole).toEqual([
      { a: 1, s: '["]{,', b: null },
      { a: 2, s: '\\', b: null },
      { a: null, s: null, b: '9007199254740993' },
    ])
    for (const size of [1, 3, 7]) expect(await read(array, pieces(TEXT, size))).toEqual(whole)
  })

  test.each([
    ['{"a":1}', 'body', 'expected a JSON array of objects'],
    ['[{"a":1},2]', 'body.1', 'expected an object'],
    ['[{"a":1},]', 'body.1', 'expected an object'],
    ['[{"a":1} {"a":2}]', 'body.1', 'expected , or ] after the element'],
    ['[{"a":[1]}]', 'body.0', 'a cell must be a string, number, boolean or null, not a nested value'],
    ['[{"a":1}] x', 'body', 'unexpected text after the end of the array'],
    ['[{"a":1}', 'body', 'the JSON array is not closed'],
  ])('refuses %j at %s', async (text, path, message) => {
    const error = await refusal(array, [text])
    expect(error.errors).toEqual([{ path, message }])
  })

  test('names the element of a syntax error and counts rows from 1 in limit errors', async () => {
    expect((await refusal(array, ['[{"a":1},{"a":tru}]'])).errors?.[0]?.path).toBe('body.1')
    const cell = await refusal(array, [`[{"a":1},{"a":"${'x'.repeat(101)}"}]`])
    expect(cell).toMatchObject({ code: 'LIMIT_EXCEEDED', errors: [{ path: 'body.1', row: 2 }] })
    expect((await refusal(array, [' '])).code).toBe('EMPTY_DATASET')
  })
})
