import { expect } from 'bun:test'

const APPROXIMATE = new Set(['mean', 'std'])

/**
 * Deep equality, except that the keys named in `approximate` (mean and std by default) need only
 * agree to `relative` precision: different but equally valid summation orders differ in the last bits.
 */
export function expectClose(
  actual: unknown,
  expected: unknown,
  relative = 1e-9,
  approximate = APPROXIMATE,
  path = '$',
): void {
  if (expected !== null && typeof expected === 'object') {
    expect(actual !== null && typeof actual === 'object', `${path} is an object`).toBe(true)
    if (Array.isArray(expected)) {
      expect(Array.isArray(actual), `${path} is an array`).toBe(true)
      expect((actual as unknown[]).length, `${path} length`).toBe(expected.length)
    } else {
      expect(Object.keys(actual as object).sort(), `${path} keys`).toEqual(Object.keys(expected).sort())
    }
    for (const [key, value] of Object.entries(expected)) {
      const next = (actual as Record<string, unknown>)[key]
      const key_ = Array.isArray(expected) ? path.split('.').pop()! : key
      if (approximate.has(key_) && typeof value === 'number') {
        expect(typeof next, `${path}.${key}`).toBe('number')
        const scale = Math.max(Math.abs(value), Number.MIN_VALUE)
        expect(
          Math.abs((next as number) - value) / scale,
          `${path}.${key} = ${next}, expected ${value}`,
        ).toBeLessThanOrEqual(relative)
      } else expectClose(next, value, relative, approximate, `${path}.${key}`)
    }
    return
  }
  expect(actual, path).toEqual(expected)
}
