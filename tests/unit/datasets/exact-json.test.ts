import { expect, test } from 'bun:test'
import { parseJsonExact } from '../../../src/datasets/ingest/exact-json'

test('integers beyond 2^53 come back as their exact text; everything else as JSON.parse gives it', () => {
  expect(parseJsonExact('{"a":9007199254740993,"b":-12345678901234567890,"c":9007199254740991}')).toEqual({
    a: '9007199254740993',
    b: '-12345678901234567890',
    c: 9007199254740991,
  })
  expect(
    parseJsonExact('{"f":1.2345678901234567,"e":1e300,"s":"12345678901234567890","g":12345678901234567.5}'),
  ).toEqual({
    f: 1.2345678901234567,
    e: 1e300,
    s: '12345678901234567890',
    g: 12345678901234568,
  })
  expect(parseJsonExact('{"a":1}')).toEqual({ a: 1 })
})
