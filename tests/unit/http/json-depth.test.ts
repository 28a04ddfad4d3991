import { describe, expect, test } from 'bun:test'
import { nestsDeeperThan } from '../../../src/http/body'

describe('nestsDeeperThan', () => {
  test('counts arrays and objects, not brackets inside strings', () => {
    expect(nestsDeeperThan('[[1]]', 2)).toBe(false)
    expect(nestsDeeperThan('[[[1]]]', 2)).toBe(true)
    expect(nestsDeeperThan('{"a":{"b":[]}}', 3)).toBe(false)
    expect(nestsDeeperThan('{"a":{"b":[{}]}}', 3)).toBe(true)
    expect(nestsDeeperThan('{"a":"[[[[[[{{{{"}', 1)).toBe(false)
    expect(nestsDeeperThan('["\\"[[[[", "\\\\", [[]]]', 2)).toBe(true)
    expect(nestsDeeperThan('["\\"[[[[", "\\\\", []]', 2)).toBe(false)
  })

  test('sees the depth of a body as the API gets it', () => {
    expect(nestsDeeperThan(`${'['.repeat(100_000)}${']'.repeat(100_000)}`, 64)).toBe(true)
    expect(nestsDeeperThan(JSON.stringify({ name: 'x', rows: [{ a: 1, b: 'c' }] }), 64)).toBe(false)
  })
})
