import { describe, expect, test } from 'bun:test'
import { JsonArrayReader } from '../../../src/datasets/ingest/json-array-reader'
import { NdjsonReader } from '../../../src/datasets/ingest/ndjson-reader'
import { type EncodedChunk, TableBuilder } from '../../../src/datasets/ingest/table-builder'
import { ProblemError } from '../../../src/http/problem'
import { rowsOf } from '../../support/chunks'

const LIMITS = { columns: 10, cellBytes: 100, rows: 100, recordBytes: 1000 }

type Reader = {
  push(text: string): Promise<unknown>
  end(): Promise<import('../../../src/datasets/ingest/table-builder').TableSummary>
}

async function read(make: (builder: TableBuilder) => Reader, parts: string[], limits = LIMITS) {
  const chunks: EncodedChunk[] = []
  const builder = new TableBuilder('json', 2, limits, async chunk => void chunks.push(chunk))
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

const ndjson = (builder: TableBuilder) => new NdjsonReader(builder)
const array = (builder: TableBuilder) => new JsonArrayReader(builder, i => `body.${i}`)
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

/** Pushes the pieces one by one; answers the index of the piece that was refused, and the problem. */
async function refusedAt(reader: Reader, pieces: string[]): Promise<{ piece: number; error: ProblemError }> {
  for (let i = 0; i < pieces.length; i++) {
    const error = await reader.push(pieces[i]!).catch(e => e)
    if (error instanceof ProblemError) return { piece: i, error }
    if (error) throw error
  }
  const error = await reader.end().catch(e => e)
  if (error instanceof ProblemError) return { piece: pieces.length, error }
  throw new Error('nothing was refused')
}

/** A record of exactly `bytes` bytes of JSON, in two-byte characters where it can. */
const recordOf = (bytes: number) => `{"a":"${'é'.repeat((bytes - 8) >> 1)}${(bytes - 8) % 2 ? 'x' : ''}"}`

describe('MAX_RECORD_BYTES', () => {
  const WIDE = { ...LIMITS, cellBytes: 10_000 }
  const fresh = () => new TableBuilder('json', 2, WIDE, async () => {})

  test('an NDJSON line is refused at the piece that takes it past the limit, before its newline', async () => {
    const { piece, error } = await refusedAt(ndjson(fresh()), [
      '{"a":1}\n{"a":"',
      'x'.repeat(900),
      'x'.repeat(94),
      'x',
      '"}\n',
    ])
    expect(piece).toBe(3)
    expect(error.code).toBe('LIMIT_EXCEEDED')
    expect(error.message).toBe('line 2: a line longer than 1000 bytes, the limit (MAX_RECORD_BYTES)')
    expect(error.errors).toEqual([{ path: 'line 2', line: 2, message: expect.stringContaining('MAX_RECORD_BYTES') }])
  })

  test('an NDJSON line of exactly the limit is read, one byte more is refused before it is parsed', async () => {
    expect(recordOf(1000)).toHaveLength(8 + 496)
    expect(Buffer.byteLength(recordOf(1000))).toBe(1000)
    for (const size of [1, 100, 2000]) {
      const text = `${recordOf(1000)}\r\n${recordOf(10)}\n`
      expect(await read(ndjson, pieces(text, size), WIDE)).toHaveLength(2)
    }
    // A line of bad JSON past the limit: the limit answers, so the parser never saw it.
    const bad = await refusedAt(ndjson(fresh()), [`{"a":1}\n${recordOf(1001).slice(0, -1)},\n`])
    expect(bad).toMatchObject({ piece: 0, error: { code: 'LIMIT_EXCEEDED', errors: [{ line: 2 }] } })
  })

  test('a JSON array element is refused at the piece that takes it past the limit, before it closes', async () => {
    const { piece, error } = await refusedAt(array(fresh()), ['[{"a":1},', '{"a":"', 'é'.repeat(497), 'x', '"}]'])
    expect(piece).toBe(3)
    expect(error.message).toBe('body.1: an element longer than 1000 bytes, the limit (MAX_RECORD_BYTES)')
    expect(error.errors).toEqual([{ path: 'body.1', row: 2, message: expect.stringContaining('MAX_RECORD_BYTES') }])
  })

  test('a JSON array element of exactly the limit is read, one byte more is refused before it is parsed', async () => {
    for (const size of [1, 100, 2000]) {
      expect(await read(array, pieces(`[${recordOf(1000)},${recordOf(10)}]`, size), WIDE)).toHaveLength(2)
      const over = await refusedAt(array(fresh()), pieces(`[${recordOf(10)},${recordOf(1001)}]`, size))
      expect(over.error.errors).toEqual([{ path: 'body.1', row: 2, message: expect.any(String) }])
    }
  })

  test('a long line sent a character at a time is carried whole', async () => {
    const line = `{"a":"${'é😀'.repeat(150)}"}`
    const text = `${line}\n${line}`
    const oneByOne = [...text]
    expect(await read(ndjson, oneByOne, WIDE)).toEqual([{ a: 'é😀'.repeat(150) }, { a: 'é😀'.repeat(150) }])
    expect(await read(array, ['[', ...[...line], ']'], WIDE)).toEqual([{ a: 'é😀'.repeat(150) }])
  })

  test('a column name is held to the cell limit', async () => {
    const error = await refusal(ndjson, [`{"a":1}\n{"${'k'.repeat(101)}":1}\n`])
    expect(error.message).toBe('line 2: a column name of 101 bytes; the limit is 100')
  })
})
