import { describe, expect, test } from 'bun:test'
import type { StoredChunk } from '../../../../src/storage/chunk-store'
import type { AnalysisKind } from '../../../../src/tasks/kinds'
import categorical from '../../../fixtures/categorical.json'
import mixed from '../../../fixtures/mixed.json'
import regression from '../../../fixtures/regression.json'
import { chunksOf } from '../../../support/chunks'
import { expectClose } from '../../../support/expect-close'
import { runHere, runSplit } from '../../../support/kernels'

const mixedData = await chunksOf(mixed.rows, 17)
const regressionData = await chunksOf(regression.rows, 40)
const categoricalData = await chunksOf(categorical.rows, 25)

type Case = [name: string, kind: AnalysisKind, params: unknown, data: typeof mixedData, expected: unknown]

const CASES: Case[] = [
  ['profile of every column', 'profile', {}, mixedData, mixed.profile],
  ['profile of a categorical-only dataset', 'profile', {}, categoricalData, categorical.profile],
  [
    'pearson with pairwise nulls and a constant column',
    'correlation',
    { columns: ['x', 'big', 'n', 'const'] },
    mixedData,
    mixed.correlation.pearson,
  ],
  [
    'spearman',
    'correlation',
    { columns: ['x', 'big', 'n', 'const'], method: 'spearman' },
    mixedData,
    mixed.correlation.spearman,
  ],
  ['histogram, 20 bins', 'histogram', { column: 'x' }, mixedData, mixed.histogram.x20],
  ['histogram of integers, 7 bins', 'histogram', { column: 'n', bins: 7 }, mixedData, mixed.histogram.n7],
  [
    'groupby with every function and a null key',
    'groupby',
    {
      by: ['cat'],
      aggregations: ['count', 'sum', 'mean', 'min', 'max', 'std', 'median']
        .map(fn => ({ column: 'x', fn }))
        .concat([{ column: 'cat', fn: 'count' }]),
    },
    mixedData,
    mixed.groupby.cat,
  ],
  [
    'groupby on two keys',
    'groupby',
    {
      by: ['cat', 'flag'],
      aggregations: [
        { column: 'n', fn: 'sum' },
        { column: 'n', fn: 'median' },
        { column: 'big', fn: 'mean' },
      ],
    },
    mixedData,
    mixed.groupby.cat_flag,
  ],
  [
    'groupby on an integer key',
    'groupby',
    { by: ['n'], aggregations: [{ column: 'x', fn: 'mean' }] },
    mixedData,
    mixed.groupby.n,
  ],
  [
    'groupby of a categorical-only dataset',
    'groupby',
    { by: ['colour', 'size'], aggregations: [{ column: 'size', fn: 'count' }] },
    categoricalData,
    categorical.groupby,
  ],
  ['outliers by IQR', 'outliers', { column: 'x', method: 'iqr' }, mixedData, mixed.outliers.x_iqr],
  [
    'outliers by z-score',
    'outliers',
    { column: 'x', method: 'zscore', threshold: 2 },
    mixedData,
    mixed.outliers.x_zscore,
  ],
  [
    'outliers of 1e9 plus noise',
    'outliers',
    { column: 'big', method: 'iqr', threshold: 0.5 },
    mixedData,
    mixed.outliers.big_iqr,
  ],
  [
    'regression with listwise nulls and a large offset',
    'regression',
    { target: 'y', features: ['x1', 'x2', 'x3'] },
    regressionData,
    regression.expected,
  ],
]

describe('kernels against pandas and NumPy', () => {
  test.each(CASES)('%s', async (_name, kind, params, data, expected) => {
    expectClose(await runHere(kind, params, data.columns, data.chunks), expected)
  })
})

describe('kernels split across parts', () => {
  test.each(CASES)('%s: identical unsplit and split 2, 3 and 4 ways', async (_name, kind, params, data) => {
    const unsplit = await runHere(kind, params, data.columns, data.chunks)
    for (const parts of [2, 3, 4])
      expect(await runSplit(kind, params, data.columns, data.chunks, parts)).toEqual(unsplit)
  })
})

/** Everything a chunk holds, copied out of its typed arrays. */
const contentsOf = (chunks: StoredChunk[]) =>
  chunks.map(chunk =>
    [...chunk.columns].map(([index, column]) =>
      column.type === 'string'
        ? [index, Array.from(column.codes), [...column.dictionary]]
        : [index, column.type, Array.from(column.values)],
    ),
  )

/** Chunks no kernel has run on yet, for each shared dataset above. */
const freshCopies = new Map([
  [mixedData, () => chunksOf(mixed.rows, 17)],
  [regressionData, () => chunksOf(regression.rows, 40)],
  [categoricalData, () => chunksOf(categorical.rows, 25)],
])

describe('kernels leave their chunks untouched (a thread keeps small data for its next analyses)', () => {
  test.each(CASES)(
    '%s: the chunks are as decoded, and a second run gives the same result',
    async (_n, kind, params, shared) => {
      const data = await freshCopies.get(shared)!()
      const decoded = contentsOf(data.chunks)
      const first = await runHere(kind, params, data.columns, data.chunks)
      expect(contentsOf(data.chunks)).toEqual(decoded)
      expect(await runHere(kind, params, data.columns, data.chunks)).toEqual(first)
    },
  )
})
