import { describe, expect, test } from 'bun:test'
import { neutraliseFormula, restoreFormula } from '../../../src/datasets/csv-formulas'

describe('formula neutralisation', () => {
  test.each([
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-x', "'-x"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
    ["'=x", "''=x"],
    ["''+x", "'''+x"],
    ['-5', '-5'],
    ['-1.5e3', '-1.5e3'],
    ['-', "'-"],
    ["'plain", "'plain"],
    ['plain', 'plain'],
    ['a=b', 'a=b'],
    ['', ''],
  ])('writes %j as %j', (value, written) => {
    expect(neutraliseFormula(value)).toBe(written)
  })

  test('the uploader reads every neutralised value back as it was', () => {
    const values = ['=1', '+', '-', '@', '\t', '\r', "'", "'=", "''=", "'''@x", "'a", '-5', 'x', '', "'-5"]
    for (const value of values) expect(restoreFormula(neutraliseFormula(value))).toBe(value)
  })
})
