import { describe, expect, test } from 'bun:test'
import { CellKind, classifyText, parseIsoDatetime } from '../../../src/datasets/ingest/cells'
import { typeRange } from '../../../src/datasets/ingest/text-cells'

/** What the general path says about a cell: its kind and the value stored for it. */
function expected(text: string): [CellKind, number] {
  const kind = classifyText(text)
  switch (kind) {
    case CellKind.Integer:
    case CellKind.Number:
      return [kind, Number(text)]
    case CellKind.Datetime:
      return [kind, parseIsoDatetime(text)]
    case CellKind.Boolean:
      return [kind, text.length === 4 ? 1 : 0]
    default:
      return [kind, Number.NaN]
  }
}

/** Types `text` where it sits inside a longer line, as the CSV scanner does. */
function typed(text: string): [CellKind, number] {
  const line = `xx,${text},yy`
  const values = new Float64Array(1)
  const kind = typeRange(line, 3, 3 + text.length, values, 0)
  return [kind, values[0]!]
}

const CASES = [
  '',
  '0',
  '-0',
  '00',
  '-00',
  '007',
  '0.0',
  '-0.0',
  '1',
  '-1',
  '12',
  '1.',
  '.5',
  '-.5',
  '.',
  '-',
  '+5',
  '+',
  '1.50',
  '101.0',
  '123.45678',
  '-999.99999',
  '0.000001',
  '1e5',
  '1E-3',
  '1e+21',
  '1e',
  '1e+',
  '1e5x',
  '1.5.5',
  '2e3',
  '1e00005',
  '1e400',
  '1e-400',
  '1.5e308',
  '1.7976931348623157e308',
  '4.9e-324',
  '0.1',
  '0.3',
  '9007199254740991',
  '9007199254740992',
  '9007199254740993',
  '-9007199254740993',
  '123456789012345',
  '1234567890123456',
  '12345678901234567890',
  '0.12345678901234567',
  '123456789012345.6',
  '999999999999999e7',
  '1.234567890123456e-10',
  '00.5',
  'NA',
  'null',
  'NaN',
  'nan',
  'N/A',
  'true',
  'TRUE',
  'False',
  'tru',
  'falsey',
  'Infinity',
  '-Infinity',
  'e5',
  'abc',
  ' 5',
  '5 ',
  '2024-01-05',
  '2024-02-30',
  '2024-01-05T10:00:00Z',
  '2024-01-05 10:00',
  '2024-01-05T10:00:00.1234Z',
  '12abc',
  '-x',
  'é',
  '1_000',
  '0x10',
  '1e22',
  '1e23',
  '123.456e-20',
  '4.35',
  '1e-7',
  '5e-324',
]

describe('typeRange', () => {
  test.each(CASES)('types %j exactly as classifyText and Number do', text => {
    const [kind, value] = typed(text)
    const [wantKind, wantValue] = expected(text)
    expect(kind).toBe(wantKind)
    expect(Object.is(value, wantValue) || (Number.isNaN(value) && Number.isNaN(wantValue))).toBe(true)
  })

  test('agrees with the general path on 20,000 random numeric-looking cells', () => {
    let seed = 7
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed / 2147483648
    }
    const alphabet = '0123456789012345678901234567890123456789..--eE+x'
    for (let n = 0; n < 20_000; n++) {
      const length = 1 + Math.floor(random() * 22)
      let text = ''
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)]
      const [kind, value] = typed(text)
      const [wantKind, wantValue] = expected(text)
      if (kind !== wantKind || !(Object.is(value, wantValue) || (Number.isNaN(value) && Number.isNaN(wantValue))))
        throw new Error(`${JSON.stringify(text)}: ${kind}/${value}, expected ${wantKind}/${wantValue}`)
    }
  })
})
