import { describe, expect, test } from 'bun:test'
import { parseMediaType, preferredMediaType } from '../../../src/http/media-type'

describe('media types', () => {
  test('parses a type with parameters', () => {
    expect(parseMediaType('Text/CSV; Charset="UTF-8"; header=present')).toEqual({
      type: 'text/csv',
      params: new Map([
        ['charset', 'UTF-8'],
        ['header', 'present'],
      ]),
    })
    expect(parseMediaType('nonsense')).toBeNull()
    expect(parseMediaType(null)).toBeNull()
  })

  const offers: [string, ...string[]] = ['text/csv', 'application/x-ndjson']
  test.each([
    [null, 'text/csv'],
    ['application/x-ndjson', 'application/x-ndjson'],
    ['text/csv;q=0.5, application/x-ndjson', 'application/x-ndjson'],
    ['text/csv, application/x-ndjson', 'text/csv'],
    ['application/*', 'application/x-ndjson'],
    ['application/*;q=0.9, text/*;q=0.8', 'application/x-ndjson'],
    ['*/*', 'text/csv'],
    ['image/png', 'text/csv'],
    ['application/x-ndjson;q=0, */*', 'text/csv'],
  ])('Accept %j prefers %s', (accept, choice) => {
    expect(preferredMediaType(accept, offers)).toBe(choice)
  })
})
