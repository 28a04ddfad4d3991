import { describe, expect, test } from 'bun:test'
import { FormatRegistry } from '@sinclair/typebox'
import '../../../src/http/docs'

describe('string formats after the OpenAPI plugin is loaded', () => {
  const uuid = FormatRegistry.Get('uuid')!
  const dateTime = FormatRegistry.Get('date-time')!

  test('uuid is any 8-4-4-4-12 hex string, as PostgreSQL reads it', () => {
    expect(uuid('12345678-1234-1234-1234-123456789abc')).toBe(true)
    expect(uuid('00000000-0000-0000-0000-000000000000')).toBe(true)
    expect(uuid('ABCDEF01-2345-6789-ABCD-EF0123456789')).toBe(true)
    expect(uuid('12345678-1234-1234-1234-123456789ab')).toBe(false)
    expect(uuid("1' or '1'='1")).toBe(false)
  })

  test('date-time is an RFC 3339 instant that exists', () => {
    expect(dateTime('2026-11-28T02:07:14.232Z')).toBe(true)
    expect(dateTime('2026-11-28T02:07:14+01:00')).toBe(true)
    expect(dateTime('2026-13-28T02:07:14Z')).toBe(false)
    expect(dateTime('yesterday')).toBe(false)
  })
})
