import { describe, expect, test } from 'bun:test'
import { chunksOf } from '../../../support/chunks'
import { runHere, runSplit } from '../../../support/kernels'

describe('a group-by keyed by a column named like an object internal', () => {
  for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty'])
    test(`${name} is a key of every output row, in one part and in several`, async () => {
      // a computed key defines an own property, even for __proto__
      const records = [1, 2, 1, 3].map((x, i) => ({ [name]: x, v: i }))
      const { chunks, columns } = await chunksOf(records, 2)
      const params = { by: [name], aggregations: [{ column: 'v', fn: 'sum' }] }
      for (const result of [
        await runHere('groupby', params, columns, chunks),
        await runSplit('groupby', params, columns, chunks, 2),
      ]) {
        const rows = (result as { rows: Record<string, unknown>[] }).rows
        expect(rows.map(row => Object.keys(row))).toEqual([
          [name, 'sum_v'],
          [name, 'sum_v'],
          [name, 'sum_v'],
        ])
        expect(rows.map(row => [Object.getOwnPropertyDescriptor(row, name)?.value, row.sum_v])).toEqual([
          [1, 2],
          [2, 1],
          [3, 3],
        ])
      }
    })
})
