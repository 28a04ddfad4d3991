import { describe, expect, test } from 'bun:test'
import { CsvReader } from '../../../src/datasets/ingest/csv-reader'
import { type EncodedChunk, MAX_CHUNK_CELLS, TableBuilder } from '../../../src/datasets/ingest/table-builder'
import { ProblemError } from '../../../src/http/problem'
import { rowsOf } from '../../support/chunks'

const LIMITS = { columns: 100, cellBytes: 1000, rows: 1000 }

/** Parses `parts` as consecutive pieces of one upload and returns the rows read back from the chunks. */
async function parse(parts: string[], chunkRows = 3, limits = LIMITS) {
  const chunks: EncodedChunk[] = []
  const builder = new TableBuilder('text', chunkRows, limits, async chunk => void chunks.push(chunk))
  const reader = new CsvReader(builder, 10_000)
  for (const part of parts) await reader.push(part)
  const summary = await reader.end()
  const rows = rowsOf(chunks, summary)
  return { summary, rows, chunks }
}

async function problem(parts: string[]): Promise<ProblemError> {
  try {
    await parse(parts)
  } catch (error) {
    if (error instanceof ProblemError) return error
    throw error
  }
  throw new Error('expected a problem')
}

const SAMPLE = 'id,"name, full",note\r\n1,"Ann ""A""",plain\r\n2,Bob,"two\r\nlines"\r\n\r\n3,Cé,\r\n4,"x,y",last'

describe('CsvReader', () => {
  test('reads RFC 4180: quotes, doubled quotes, embedded newlines and commas, CRLF, blank lines', async () => {
    const { rows, summary } = await parse([SAMPLE])
    expect(summary.rowCount).toBe(4)
    expect(rows).toEqual([
      { id: 1, 'name, full': 'Ann "A"', note: 'plain' },
      { id: 2, 'name, full': 'Bob', note: 'two\r\nlines' },
      { id: 3, 'name, full': 'Cé', note: null },
      { id: 4, 'name, full': 'x,y', note: 'last' },
    ])
  })

  test('gives the same rows however the text is cut into pieces', async () => {
    const whole = (await parse([SAMPLE])).rows
    for (const size of [1, 2, 3, 7, 13]) {
      const parts = SAMPLE.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g'))!
      expect((await parse(parts)).rows).toEqual(whole)
    }
  })

  test('strips a byte order mark from the first header', async () => {
    const { summary } = await parse(['\uFEFF"a,b",c\n1,2\n'])
    expect(summary.columns.map(c => c.name)).toEqual(['a,b', 'c'])
  })

  test('widens a column across chunks: integer, then number, then string', async () => {
    const csv = 'v\n1\n2\n3\n4.5\n5\n6\nseven\n'
    const { rows, summary, chunks } = await parse([csv], 3)
    expect(chunks).toHaveLength(3)
    expect(summary.columns).toEqual([{ name: 'v', type: 'string', nullable: false }])
    expect(rows.map(r => r.v)).toEqual(['1', '2', '3', '4.5', '5', '6', 'seven'])
  })

  test('an all-null column is a nullable string', async () => {
    const { summary } = await parse(['a,b\n1,\n2,NA\n'])
    expect(summary.columns[1]).toEqual({ name: 'b', type: 'string', nullable: true })
  })

  test('names the line of an unterminated quote', async () => {
    const error = await problem(['a,b\n1,2\n3,"open\n4,5\n'])
    expect(error.status).toBe(422)
    expect(error.code).toBe('CSV_PARSE_ERROR')
    expect(error.errors?.[0]?.line).toBe(3)
  })

  test('names the line of a ragged row, counting lines inside quoted fields', async () => {
    const error = await problem(['a,b\n"1\n\n1",2\n', '3,4,5\n'])
    expect(error.code).toBe('RAGGED_ROW')
    expect(error.message).toBe('line 5: expected 2 fields, found 3')
  })

  test('names the line and column of a cell over the limit', async () => {
    const error = await problem([`a,b\n1,2\n3,${'x'.repeat(1001)}\n`])
    expect(error.code).toBe('LIMIT_EXCEEDED')
    expect(error.errors?.[0]).toMatchObject({ line: 3, column: 2 })
  })

  test('refuses an empty input and a header without rows', async () => {
    expect((await problem([''])).code).toBe('EMPTY_DATASET')
    expect((await problem(['a,b\r\n'])).code).toBe('EMPTY_DATASET')
  })

  test('keeps the written text of numbers, booleans and dates in a column that is a string in their chunk', async () => {
    const { rows, summary } = await parse(['v\n1.50\n1e3\nTRUE\n2024-01-05\nabc\n'], 10)
    expect(summary.columns).toEqual([{ name: 'v', type: 'string', nullable: false }])
    expect(rows.map(r => r.v)).toEqual(['1.50', '1e3', 'TRUE', '2024-01-05', 'abc'])
  })

  test('types quoted fields like bare ones and reads doubled quotes, however the pieces are cut', async () => {
    const csv = 'n,"s"\r\n"12","a ""b"" c"\r\n"3.5",""""\r\n"",x\r\n'
    const whole = (await parse([csv])).rows
    expect(whole).toEqual([
      { n: 12, s: 'a "b" c' },
      { n: 3.5, s: '"' },
      { n: null, s: 'x' },
    ])
    for (let cut = 1; cut < csv.length; cut++)
      expect((await parse([csv.slice(0, cut), csv.slice(cut)])).rows).toEqual(whole)
  })

  test('reads the last record without a line end, and a lone CR at the very end as nothing', async () => {
    expect((await parse(['a,b\n1,2'])).rows).toEqual([{ a: 1, b: 2 }])
    expect((await parse(['a,b\r\n1,2\r'])).rows).toEqual([{ a: 1, b: 2 }])
    expect((await parse(['a,b\r\n1,2\r', '\n3,4\r\n'])).rows).toEqual([
      { a: 1, b: 2 },
      { a: 3, b: 4 },
    ])
  })

  test('drops the apostrophe our export puts before formulas, in names and cells', async () => {
    const { rows, summary } = await parse(["'=h,b\n'=SUM(A1),\"'-x\"\n'-5,'plain\n''=twice,'@\n"])
    expect(summary.columns.map(c => c.name)).toEqual(['=h', 'b'])
    expect(rows).toEqual([
      { '=h': '=SUM(A1)', b: '-x' },
      { '=h': '-5', b: "'plain" },
      { '=h': "'=twice", b: '@' },
    ])
  })

  test('names the line of text after a closing quote and of a record over the length limit', async () => {
    const error = await problem(['a,b\n1,2\n"x"y,3\n'])
    expect(error.code).toBe('CSV_PARSE_ERROR')
    expect(error.errors?.[0]?.line).toBe(3)
    const builder = new TableBuilder('text', 3, LIMITS, async () => {})
    const reader = new CsvReader(builder, 20)
    await reader.push('a\n1\n')
    const long = await reader.push(`"${'x'.repeat(30)}`).catch(e => e)
    expect(long).toBeInstanceOf(ProblemError)
    expect(long.message).toBe('line 3: a record longer than 20 characters')
  })

  test('refuses a row beyond the row limit, naming its line', async () => {
    const builder = new TableBuilder('text', 2, { ...LIMITS, rows: 2 }, async () => {})
    const reader = new CsvReader(builder, 1000)
    const error = await reader.push('a\n1\n\n2\n3\n').catch(e => e)
    expect(error).toMatchObject({ code: 'LIMIT_EXCEEDED', message: 'line 5: more than 2 rows, the limit' })
  })

  test('grows its buffers as rows come, and cuts chunks of wide tables shorter', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `${i},${i % 7 === 0 ? '' : `s${i % 5}`},${i / 4}`)
    const { rows, chunks } = await parse([`i,s,q\n${lines.join('\n')}\n`], 2500, { ...LIMITS, rows: 10_000 })
    expect(chunks.map(c => c.rowCount)).toEqual([2500, 500])
    expect(rows[2999]).toEqual({ i: 2999, s: 's4', q: 749.75 })
    expect(rows.filter(r => r.s === null)).toHaveLength(429)
    const builder = new TableBuilder('text', 65_536, LIMITS, async () => {})
    expect(builder.rowsPerChunk(10)).toBe(65_536)
    expect(builder.rowsPerChunk(1000)).toBe(Math.floor(MAX_CHUNK_CELLS / 1000))
  })
})
