import { describe, expect, test } from 'bun:test'
import { Type } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import fc from 'fast-check'
import { jsonLargerThan } from '../../../src/http/json-size'
import type { FieldError } from '../../../src/http/problem'
import { nonBlankText, text } from '../../../src/http/schemas'
import {
  detailWithCount,
  issueErrors,
  listFieldErrors,
  MAX_COUNTED_ERRORS,
  MAX_FIELD_ERRORS,
  schemaErrors,
} from '../../../src/http/validation'

/** Endless field errors on distinct paths, counting how many were taken. */
function endless(): { errors: Iterable<FieldError>; taken: () => number } {
  let taken = 0
  return {
    errors: (function* () {
      for (;;) yield { path: `body.x.${taken++}`, message: 'bad' }
    })(),
    taken: () => taken,
  }
}

describe('field errors', () => {
  test('list at most MAX_FIELD_ERRORS and count the rest, reading no further than the count goes', () => {
    const source = endless()
    const list = listFieldErrors(source.errors)
    expect(list.errors).toHaveLength(MAX_FIELD_ERRORS)
    expect(list.errors[63]).toEqual({ path: 'body.x.63', message: 'bad' })
    expect(list).toMatchObject({ unlisted: MAX_COUNTED_ERRORS, countStopped: true })
    expect(source.taken()).toBe(MAX_FIELD_ERRORS + MAX_COUNTED_ERRORS)
    expect(detailWithCount('Bad', list)).toBe('Bad (the first 64 errors are listed; at least 10,000 more are not)')
  })

  test('count exactly what they do not list, and say nothing when they list it all', () => {
    const errors = (n: number) => Array.from({ length: n }, (_, i) => ({ path: `body.${i}`, message: 'bad' }))
    const some = listFieldErrors(errors(100))
    expect(some).toMatchObject({ unlisted: 36, countStopped: false })
    expect(detailWithCount('Bad', some)).toBe('Bad (the first 64 errors are listed; 36 more are not)')
    const few = listFieldErrors(errors(3))
    expect(few).toEqual({ errors: errors(3), unlisted: 0, countStopped: false })
    expect(detailWithCount('Bad', few)).toBe('Bad')
  })

  test('keep one error per path: the first one TypeBox finds', () => {
    const schema = Type.Object(
      { name: Type.String(), n: Type.Integer({ minimum: 1 }), tags: Type.Array(Type.String(), { minItems: 2 }) },
      { additionalProperties: false },
    )
    expect(schemaErrors(schema, { n: 0.5, tags: [1], extra: true }, 'body').errors).toEqual([
      { path: 'body.name', message: 'is required' },
      { path: 'body.extra', message: 'Unexpected property' },
      { path: 'body.n', message: 'Expected integer' },
      { path: 'body.tags', message: 'Expected array length to be greater or equal to 2' },
      { path: 'body.tags.0', message: 'Expected string' },
    ])
  })

  test('take the issues of a validator one at a time', () => {
    const schema = Type.Array(Type.String())
    let pulled = 0
    const issues = (function* () {
      for (const issue of Value.Errors(
        schema,
        Array.from({ length: 1_000_000 }, () => 1),
      )) {
        pulled++
        yield issue
      }
    })()
    expect(listFieldErrors(issueErrors(issues, 'body')).countStopped).toBe(true)
    expect(pulled).toBe(MAX_FIELD_ERRORS + MAX_COUNTED_ERRORS)
  })

  test('tell what text PostgreSQL cannot hold', () => {
    const messages = (schema: ReturnType<typeof text>, value: string) =>
      schemaErrors(schema, value, 'body.name').errors.map(e => e.message)
    expect(messages(text(), 'a\u0000b')).toEqual(['must not hold NUL (U+0000) or an unpaired surrogate'])
    expect(messages(text(), 'a\ud800')).toEqual(['must not hold NUL (U+0000) or an unpaired surrogate'])
    expect(messages(text(), '\udc00')).toEqual(['must not hold NUL (U+0000) or an unpaired surrogate'])
    expect(messages(text(), '🙂 é\n\t')).toEqual([])
    expect(messages(nonBlankText(), ' \t ')).toEqual([
      'must not be blank, nor hold NUL (U+0000) or an unpaired surrogate',
    ])
    expect(messages(nonBlankText({ maxLength: 3 }), 'abcd')).toEqual(['Expected string length less or equal to 3'])
  })
})

describe('jsonLargerThan', () => {
  test('agrees with the length of JSON.stringify, in bytes, for any JSON value and limit', () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: 'binary' }), fc.nat(2000), (value, limit) => {
        expect(jsonLargerThan(value, limit)).toBe(Buffer.byteLength(JSON.stringify(value)) > limit)
      }),
      { numRuns: 2000, seed: 20261201 },
    )
    for (const value of [
      'é',
      '\u0800',
      '\uffff',
      '\ud800',
      '\u0000',
      '"',
      '🙂',
      [],
      {},
      [[]],
      { a: [1, 'x'] },
      -0,
      1e21,
    ])
      for (let limit = 0; limit < 30; limit++)
        expect(jsonLargerThan(value, limit)).toBe(Buffer.byteLength(JSON.stringify(value)) > limit)
  })

  test('stops at the limit: a huge value is read only as far as the limit', () => {
    let read = 0
    const items = new Proxy(
      Array.from({ length: 1_000_000 }, () => 'xx'),
      {
        get(target, key, receiver) {
          if (typeof key === 'string' && /^\d+$/.test(key)) read++
          return Reflect.get(target, key, receiver)
        },
      },
    )
    expect(jsonLargerThan({ items }, 1024)).toBe(true)
    expect(read).toBeLessThan(1024 / 4)
  })
})
