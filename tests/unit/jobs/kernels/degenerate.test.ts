import { describe, expect, test } from 'bun:test'
import { AnalysisError } from '../../../../jobs/kernels/analysis-error'
import { chunksOf } from '../../../support/chunks'
import { runHere } from '../../../support/kernels'

const rows = (n: number, make: (i: number) => Record<string, number | string | boolean | null>) =>
  Array.from({ length: n }, (_, i) => make(i))

describe('degenerate data', () => {
  test('a column with no values: histogram [0, 1], no outliers, null correlations, zero-count groups', async () => {
    const { chunks, columns } = await chunksOf(
      rows(6, i => ({ none: null, x: i, g: i % 2 === 0 ? 'even' : 'odd' })),
      4,
    )
    // an all-null column is stored as a string column; cast it by giving it a numeric neighbour's type
    const numeric = columns.map(c => (c.name === 'none' ? { ...c, type: 'number' as const } : c))
    expect(await runHere('histogram', { column: 'none', bins: 2 }, numeric, chunks)).toEqual({
      column: 'none',
      edges: [0, 0.5, 1],
      counts: [0, 0],
    })
    expect(await runHere('outliers', { column: 'none', method: 'iqr' }, numeric, chunks)).toEqual({
      column: 'none',
      method: 'iqr',
      lower: null,
      upper: null,
      count: 0,
      sample_rows: [],
    })
    expect(await runHere('correlation', { columns: ['none', 'x'] }, numeric, chunks)).toEqual({
      method: 'pearson',
      columns: ['none', 'x'],
      matrix: [
        [null, null],
        [null, 1],
      ],
    })
    const grouped = await runHere(
      'groupby',
      {
        by: ['g'],
        aggregations: ['count', 'sum', 'mean', 'min', 'max', 'std', 'median'].map(fn => ({ column: 'none', fn })),
      },
      numeric,
      chunks,
    )
    expect(grouped).toEqual({
      by: ['g'],
      rows: ['even', 'odd'].map(g => ({
        g,
        count_none: 0,
        sum_none: 0,
        mean_none: null,
        min_none: null,
        max_none: null,
        std_none: null,
        median_none: null,
      })),
    })
  })

  test('one value: no spread, quartiles equal to it, a regression that cannot be fitted', async () => {
    const { chunks, columns } = await chunksOf([{ x: 4.5, y: 1 }], 4)
    const profile = (await runHere('profile', {}, columns, chunks)) as { columns: Record<string, unknown>[] }
    expect(profile.columns[0]).toMatchObject({
      count: 1,
      distinct: 1,
      mean: 4.5,
      std: null,
      p25: 4.5,
      p50: 4.5,
      p75: 4.5,
    })
    expect((await runHere('correlation', {}, columns, chunks)) as object).toEqual({
      method: 'pearson',
      columns: ['x', 'y'],
      matrix: [
        [null, null],
        [null, null],
      ],
    })
    const fit = runHere('regression', { target: 'y', features: ['x'] }, columns, chunks)
    expect(fit).rejects.toBeInstanceOf(AnalysisError)
    expect(fit).rejects.toThrow(
      'singular design: 1 rows have every value present, and 1 features with an intercept need at least 2',
    )
  })

  test('a constant column: null correlation (diagonal too), widened histogram, no z-score outliers', async () => {
    const { chunks, columns } = await chunksOf(
      rows(10, i => ({ c: 3, x: i })),
      3,
    )
    expect(((await runHere('correlation', {}, columns, chunks)) as { matrix: unknown }).matrix).toEqual([
      [null, null],
      [null, 1],
    ])
    expect(
      ((await runHere('histogram', { column: 'c', bins: 2 }, columns, chunks)) as { edges: number[] }).edges,
    ).toEqual([2.5, 3, 3.5])
    expect(await runHere('outliers', { column: 'c', method: 'zscore' }, columns, chunks)).toEqual({
      column: 'c',
      method: 'zscore',
      lower: 3,
      upper: 3,
      count: 0,
      sample_rows: [],
    })
  })

  test('collinear features fail the regression with the reason', async () => {
    const { chunks, columns } = await chunksOf(
      rows(20, i => ({ a: i, b: 2 * i + 1, y: i * i })),
      8,
    )
    expect(runHere('regression', { target: 'y', features: ['a', 'b'] }, columns, chunks)).rejects.toThrow(
      'singular design: the features are collinear (or one is constant), so the coefficients are not determined',
    )
  })

  test('a null-heavy column: statistics over the few values present, nulls counted', async () => {
    const { chunks, columns } = await chunksOf(
      rows(50, i => ({ sparse: i % 10 === 0 ? i : null, dense: i })),
      7,
    )
    const profile = (await runHere('profile', { columns: ['sparse'] }, columns, chunks)) as {
      columns: Record<string, unknown>[]
    }
    expect(profile.columns[0]).toMatchObject({ count: 5, nulls: 45, distinct: 5, min: 0, max: 40, mean: 20, p50: 20 })
    const corr = (await runHere('correlation', {}, columns, chunks)) as { matrix: number[][] }
    expect(corr.matrix[0]![1]).toBeCloseTo(1, 12)
  })

  test('outliers name the first 20 rows in row order, and a value equal to a bound is not one', async () => {
    // Q1 = 51 and Q3 = 54, so the bounds are exactly 46.5 and 58.5, and both are in the data.
    const values = [
      ...Array.from({ length: 100 }, (_, i) => 50 + (i % 5)),
      46.5,
      58.5,
      ...Array.from({ length: 25 }, () => 1000),
    ]
    const { chunks, columns } = await chunksOf(
      values.map(v => ({ v })),
      9,
    )
    expect(await runHere('outliers', { column: 'v', method: 'iqr' }, columns, chunks)).toEqual({
      column: 'v',
      method: 'iqr',
      lower: 46.5,
      upper: 58.5,
      count: 25,
      sample_rows: Array.from({ length: 20 }, (_, i) => ({ row: 102 + i, value: 1000 })),
    })
  })
})
