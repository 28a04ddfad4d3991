import { expect } from 'bun:test'

/** Float results whose last bits depend on the order of additions: means, spreads, fits. */
const DEFAULT_APPROXIMATE =
  /\.(mean|std|r2|intercept|lower|upper)$|\.(mean|std|sum)_[^.]+$|\.matrix\.\d+\.\d+$|\.coefficients\.[^.]+$/

/**
 * Deep equality, except that numbers at paths matching `approximate` need only agree to
 * `relative` precision (1e-9 by default); everything else — counts, min, max, quantiles,
 * histogram edges — must be exact.
 */
export function expectClose(
  actual: unknown,
  expected: unknown,
  { relative = 1e-9, approximate = DEFAULT_APPROXIMATE }: { relative?: number; approximate?: RegExp } = {},
  path = '$',
): void {
  if (expected !== null && typeof expected === 'object') {
    expect(actual !== null && typeof actual === 'object', `${path} is an object`).toBe(true)
    if (Array.isArray(expected)) expect((actual as unknown[]).length, `${path} length`).toBe(expected.length)
    else expect(Object.keys(actual as object).sort(), `${path} keys`).toEqual(Object.keys(expected).sort())
    for (const [key, value] of Object.entries(expected))
      expectClose((actual as Record<string, unknown>)[key], value, { relative, approximate }, `${path}.${key}`)
    return
  }
  if (typeof expected === 'number' && approximate.test(path)) {
    expect(typeof actual, path).toBe('number')
    const error = Math.abs((actual as number) - expected) / Math.max(Math.abs(expected), Number.MIN_VALUE)
    expect(error, `${path} = ${actual}, expected ${expected}`).toBeLessThanOrEqual(relative)
    return
  }
  expect(actual, path).toEqual(expected)
}
