import { describe, expect, test } from 'bun:test'
import { divergingColor, textColorOn } from '../../../src/dashboard/client/charts/color'
import { extent, linearScale, niceStep, ticks } from '../../../src/dashboard/client/charts/scale'

describe('linearScale', () => {
  test('maps the domain onto the range, reversed ranges included', () => {
    const x = linearScale([0, 10], [100, 200])
    expect([0, 5, 10, -10].map(x)).toEqual([100, 150, 200, 0])
    const y = linearScale([0, 4], [300, 100])
    expect([0, 1, 4].map(y)).toEqual([300, 250, 100])
  })

  test('puts every value of a one-value domain in the middle of the range', () => {
    expect(linearScale([3, 3], [0, 10])(3)).toBe(5)
  })
})

describe('ticks', () => {
  test('are round numbers inside the domain', () => {
    expect(ticks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10])
    expect(ticks(12, 30.1, 5)).toEqual([15, 20, 25, 30])
    expect(ticks(0.1, 0.35, 5)).toEqual([0.1, 0.15, 0.2, 0.25, 0.3, 0.35])
    expect(ticks(-3, 3, 3)).toEqual([-2, 0, 2])
  })

  test('are one value for an empty span and none for a nonsense one', () => {
    expect(ticks(5, 5)).toEqual([5])
    expect(ticks(5, 1)).toEqual([])
    expect(ticks(0, Number.NaN)).toEqual([])
  })

  test('niceStep picks 1, 2 or 5 times a power of ten', () => {
    expect([niceStep(100, 5), niceStep(7, 5), niceStep(0.03, 4), niceStep(0, 4)]).toEqual([20, 2, 0.01, 1])
  })
})

test('extent skips nulls and non-finite values', () => {
  expect(extent([3, null, -1, Number.NaN, 7, undefined])).toEqual([-1, 7])
  expect(extent([null, Number.POSITIVE_INFINITY])).toBeNull()
})

describe('divergingColor', () => {
  test('is blue at −1, near white at 0, red at +1, grey for null, and clamps', () => {
    expect(divergingColor(-1)).toBe('rgb(33, 102, 172)')
    expect(divergingColor(0)).toBe('rgb(247, 247, 247)')
    expect(divergingColor(1)).toBe('rgb(178, 24, 43)')
    expect(divergingColor(5)).toBe(divergingColor(1))
    expect(divergingColor(null)).toBe('rgb(220, 220, 220)')
  })

  test('text turns light on strong colours', () => {
    expect([textColorOn(0.9), textColorOn(-0.7), textColorOn(0.2), textColorOn(null)]).toEqual([
      '#fff',
      '#fff',
      '#1b1f24',
      '#1b1f24',
    ])
  })
})
