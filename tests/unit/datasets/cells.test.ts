import { describe, expect, test } from 'bun:test'
import { CellKind, classifyJson, classifyText, parseIsoDatetime, widen } from '../../../src/datasets/ingest/cells'

describe('classifyText', () => {
  test.each([
    ['', CellKind.Null],
    ['NA', CellKind.Null],
    ['null', CellKind.Null],
    ['NaN', CellKind.Null],
    ['0', CellKind.Integer],
    ['-17', CellKind.Integer],
    ['9007199254740991', CellKind.Integer],
    ['9007199254740993', CellKind.String],
    ['-9007199254740993', CellKind.String],
    ['007', CellKind.String],
    ['+5', CellKind.String],
    ['101.0', CellKind.Number],
    ['.5', CellKind.Number],
    ['5.', CellKind.Number],
    ['-1.25e-3', CellKind.Number],
    ['1E+300', CellKind.Number],
    ['1e999', CellKind.String],
    ['1e', CellKind.String],
    ['.', CellKind.String],
    ['-', CellKind.String],
    [' 1', CellKind.String],
    ['1 ', CellKind.String],
    ['0x10', CellKind.String],
    ['Infinity', CellKind.String],
    ['true', CellKind.Boolean],
    ['FALSE', CellKind.Boolean],
    ['True', CellKind.Boolean],
    ['yes', CellKind.String],
    ['2024-02-29', CellKind.Datetime],
    ['2023-02-29', CellKind.String],
    ['2024-01-05T10:30', CellKind.Datetime],
    ['2024-01-05 10:30:15.123Z', CellKind.Datetime],
    ['2024-01-05T10:30:15.1234Z', CellKind.String],
    ['2024-01-05T25:00:00', CellKind.String],
    ['2024-1-5', CellKind.String],
    ['hello', CellKind.String],
  ])('%j is %d', (text, kind) => {
    expect(classifyText(text)).toBe(kind)
  })
})

describe('parseIsoDatetime', () => {
  test('reads dates and date-times as UTC epoch milliseconds, applying offsets', () => {
    expect(parseIsoDatetime('2024-01-05')).toBe(Date.UTC(2024, 0, 5))
    expect(parseIsoDatetime('2024-01-05T10:30:15.5Z')).toBe(Date.UTC(2024, 0, 5, 10, 30, 15, 500))
    expect(parseIsoDatetime('2024-01-05T10:30:00+02:00')).toBe(Date.UTC(2024, 0, 5, 8, 30))
    expect(parseIsoDatetime('2024-01-05T10:30:00-0530')).toBe(Date.UTC(2024, 0, 5, 16, 0))
    expect(parseIsoDatetime('2024-13-01')).toBeNaN()
  })
})

describe('classifyJson', () => {
  test('keeps JSON types; strings only become datetimes', () => {
    expect(classifyJson(null)).toBe(CellKind.Null)
    expect(classifyJson(3)).toBe(CellKind.Integer)
    expect(classifyJson(3.5)).toBe(CellKind.Number)
    expect(classifyJson(1e300)).toBe(CellKind.Number)
    expect(classifyJson(false)).toBe(CellKind.Boolean)
    expect(classifyJson('42')).toBe(CellKind.String)
    expect(classifyJson('NA')).toBe(CellKind.String)
    expect(classifyJson('2024-01-05')).toBe(CellKind.Datetime)
  })
})

describe('widen', () => {
  test('integers widen to numbers, any other mix to strings, nulls to nothing', () => {
    expect(widen(CellKind.Integer, CellKind.Number)).toBe(CellKind.Number)
    expect(widen(CellKind.Number, CellKind.Integer)).toBe(CellKind.Number)
    expect(widen(CellKind.Null, CellKind.Boolean)).toBe(CellKind.Boolean)
    expect(widen(CellKind.Datetime, CellKind.Null)).toBe(CellKind.Datetime)
    expect(widen(CellKind.Integer, CellKind.Boolean)).toBe(CellKind.String)
    expect(widen(CellKind.Datetime, CellKind.Number)).toBe(CellKind.String)
  })
})
