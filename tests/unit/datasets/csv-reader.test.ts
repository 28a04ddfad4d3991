import { describe, expect, test } from 'bun:test'
import { CsvReader } from '../../../src/datasets/ingest/csv-reader'
import { type EncodedChunk, MAX_CHUNK_CELLS, TableBuilder } from '../../../src/datasets/ingest/table-builder'
import { ProblemError } from '../../../src/http/problem'
import { rowsOf } from '../../support/chunks'

const LIMITS = { columns: 100, cellBytes: 1000, rows: 1000, recordBytes: 10_000 }

/** Parses `parts` as consecutive pieces of one upload and returns the rows read back from the chunks. */
async function parse(parts: string[], chunkRows = 3, limits = LIMITS) {
  const chunks: EncodedChunk[] = []
  const builder = new TableBuilder('text', chunkRows, limits, async chunk => void chunks.push(chunk))
  const reader = new CsvReader(builder)
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
    const builder = new TableBuilder('text', 3, { ...LIMITS, recordBytes: 20 }, async () => {})
    const reader = new CsvReader(builder)
    await reader.push('a\n1\n')
    const long = await reader.push(`"${'x'.repeat(30)}`).catch(e => e)
    expect(long).toBeInstanceOf(ProblemError)
    expect(long.message).toBe('line 3: a record longer than 20 bytes, the limit (MAX_RECORD_BYTES)')
  })

  test('refuses a row beyond the row limit, naming its line', async () => {
    const builder = new TableBuilder('text', 2, { ...LIMITS, rows: 2 }, async () => {})
    const reader = new CsvReader(builder)
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

/** Cuts `text` at every offset in `cuts`, never inside a surrogate pair (TextDecoder never does). */
function cutAt(text: string, cuts: number[]): string[] {
  const parts: string[] = []
  let from = 0
  for (const cut of [...cuts, text.length]) {
    if (cut <= from || (text.charCodeAt(cut - 1) & 0xfc00) === 0xd800) continue
    parts.push(text.slice(from, cut))
    from = cut
  }
  return parts
}

/** A reader and its builder with the given limits, fed by hand. */
function reader(limits: Partial<typeof LIMITS> = {}) {
  return new CsvReader(new TableBuilder('text', 3, { ...LIMITS, ...limits }, async () => {}))
}

/** Pushes the pieces one by one; answers the index of the piece that was refused, and the problem. */
async function refusedAt(csv: CsvReader, pieces: string[]): Promise<{ piece: number; error: ProblemError }> {
  for (let i = 0; i < pieces.length; i++) {
    const error = await csv.push(pieces[i]!).catch(e => e)
    if (error instanceof ProblemError) return { piece: i, error }
    if (error) throw error
  }
  const error = await csv.end().catch(e => e)
  if (error instanceof ProblemError) return { piece: pieces.length, error }
  throw new Error('nothing was refused')
}

describe('CsvReader across pieces', () => {
  const TRICKY = `'=h,"q ""x""",é😀\r\n"a\r\nb",'-1,"'=2"\n\r\n "",x,"y"  \r\n😀,"""",'plain\r\n"",,\r\nlast,"t""",z`

  test('reads every record the same with the text cut at any one or two places', async () => {
    const whole = (await parse([TRICKY])).rows
    expect(whole).toEqual([
      { '=h': 'a\r\nb', 'q "x"': '-1', 'é😀': '=2' },
      { '=h': ' ""', 'q "x"': 'x', 'é😀': 'y' },
      { '=h': '😀', 'q "x"': '"', 'é😀': "'plain" },
      { '=h': null, 'q "x"': null, 'é😀': null },
      { '=h': 'last', 'q "x"': 't"', 'é😀': 'z' },
    ])
    for (let a = 1; a < TRICKY.length; a++) {
      expect((await parse(cutAt(TRICKY, [a]))).rows).toEqual(whole)
      for (let b = a + 1; b < TRICKY.length; b += 3) expect((await parse(cutAt(TRICKY, [a, b]))).rows).toEqual(whole)
    }
    const oneByOne = cutAt(
      TRICKY,
      Array.from({ length: TRICKY.length }, (_, i) => i),
    )
    expect((await parse(oneByOne)).rows).toEqual(whole)
  })

  test('a record longer than its piece is carried whole: long cells, quotes and line breaks over many pieces', async () => {
    const long = 'é'.repeat(400)
    const csv = `a,b\n1,"${long}""\r\n${long}"\n${long},2\n`
    const limits = { ...LIMITS, cellBytes: 4000 }
    const whole = (await parse([csv], 3, limits)).rows
    expect(whole).toEqual([
      { a: '1', b: `${long}"\r\n${long}` },
      { a: long, b: '2' },
    ])
    for (const size of [1, 7, 64, 333]) {
      const cuts = Array.from({ length: Math.ceil(csv.length / size) }, (_, i) => i * size)
      expect((await parse(cutAt(csv, cuts), 3, limits)).rows).toEqual(whole)
    }
  })

  test('refuses a cell at the piece that takes it past the limit, before the cell ends', async () => {
    const bare = await refusedAt(reader({ cellBytes: 100 }), ['a,b\n1,', 'x'.repeat(60), 'x'.repeat(40), 'x', 'x\n'])
    expect(bare.piece).toBe(3)
    expect(bare.error).toMatchObject({ code: 'LIMIT_EXCEEDED', errors: [{ line: 2, column: 2 }] })
    expect(bare.error.message).toBe('line 2, column 2: a cell of more than 100 bytes in column "b"; the limit is 100')
    // Bytes, not characters: 50 two-byte characters are the limit, the 51st passes it.
    const wide = await refusedAt(reader({ cellBytes: 100 }), ['a\n', '"', 'é'.repeat(50), 'é', '"\n'])
    expect(wide.piece).toBe(3)
    // A doubled quote is one character of the cell; a quote that ends a piece may be the closing one.
    const quotes = ['a\n"', '""'.repeat(99), '"', '"', '"\n']
    expect((await parse(quotes, 3, { ...LIMITS, cellBytes: 100 })).rows).toEqual([{ a: '"'.repeat(100) }])
    const over = await refusedAt(reader({ cellBytes: 100 }), ['a\n"', '""'.repeat(100), '""', '"\n'])
    expect(over.piece).toBe(2)
    // A CR that ends a piece may be half of the line end; it is not counted until it is known.
    expect((await parse(['a\n', 'x'.repeat(100), '\r', '\n'], 3, { ...LIMITS, cellBytes: 100 })).rows).toHaveLength(1)
  })

  test('a column name is held to the cell limit too', async () => {
    const { error } = await refusedAt(reader({ cellBytes: 10 }), ['a,', 'b'.repeat(11), '\n1,2\n'])
    expect(error.message).toBe('line 1, column 2: a column name of more than 10 bytes; the limit is 10')
  })

  test('refuses a record at the piece that takes it past MAX_RECORD_BYTES, before it ends', async () => {
    const limits = { recordBytes: 100, cellBytes: 1000 }
    const many = await refusedAt(reader(limits), ['a,b\n', '1,'.repeat(30), '1,'.repeat(20), ',', '1\n'])
    expect(many.piece).toBe(3)
    expect(many.error).toMatchObject({ code: 'LIMIT_EXCEEDED', errors: [{ path: 'line 2', line: 2 }] })
    expect(many.error.message).toBe('line 2: a record longer than 100 bytes, the limit (MAX_RECORD_BYTES)')
    const quoted = await refusedAt(reader(limits), ['a\n\n"', 'x\n'.repeat(49), 'xx'])
    expect(quoted).toMatchObject({ piece: 2, error: { errors: [{ line: 3 }] } })
    // Exactly the limit is a record (its line end not counted), in one piece or many.
    const full = `a,b\n${'é'.repeat(49)},1\r\n`
    for (const parts of [[full], cutAt(full, [5, 40, 104])])
      expect((await parse(parts, 3, { ...LIMITS, ...limits })).rows).toHaveLength(1)
    expect(await refusedAt(reader(limits), [`a,b\n${'é'.repeat(49)},12\r\n`])).toMatchObject({ piece: 0 })
  })

  test('refuses a header at the field that passes MAX_COLUMNS, before the header ends', async () => {
    const { piece, error } = await refusedAt(reader({ columns: 100, recordBytes: 1 << 20 }), [
      ','.repeat(50),
      ','.repeat(49),
      ',',
      ','.repeat(1000),
      '\n1\n',
    ])
    expect(piece).toBe(2)
    expect(error.message).toBe('line 1, column 101: the header has more than 100 columns; the limit is 100')
  })

  test('scans a long record once, however many pieces it arrives in', async () => {
    // Every character the reader looks at, through charCodeAt or indexOf.
    let looked = 0
    const { charCodeAt, indexOf } = String.prototype
    String.prototype.charCodeAt = function (this: string, i: number) {
      looked++
      return charCodeAt.call(this, i)
    }
    String.prototype.indexOf = function (this: string, search: string, from = 0) {
      const at = indexOf.call(this, search, from)
      looked += (at === -1 ? this.length : at + 1) - from
      return at
    }
    const limits = { cellBytes: 1 << 20, recordBytes: 1 << 20 }
    const cases = {
      'short fields': `a,b\n${'1,'.repeat(100_000)}1\n`,
      'one bare cell': `a,b\n1,${'x'.repeat(200_000)}\n`,
      'one quoted cell': `a,b\n1,"${'x\n'.repeat(100_000)}"\n`,
    }
    try {
      for (const [name, csv] of Object.entries(cases)) {
        looked = 0
        const pieces = cutAt(
          csv,
          Array.from({ length: csv.length >> 10 }, (_, i) => i << 10),
        )
        await refusedAt(reader(limits), pieces).catch(() => {})
        // Scanning, measuring and typing each look at a character a few times, not once per piece.
        expect(looked / csv.length, name).toBeLessThan(4)
      }
    } finally {
      String.prototype.charCodeAt = charCodeAt
      String.prototype.indexOf = indexOf
    }
  })
})
