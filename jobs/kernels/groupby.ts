import type { Chunk } from '../../src/storage/chunk-codec'
import { columnView } from '../../src/storage/column-view'
import type { JsonCell } from '../../src/storage/columns'
import type { GroupbyFunction, GroupbyParams } from '../../src/tasks/analyses'
import { DEFAULT_MAX_GROUPS, MAX_GROUPS_LIMIT } from '../../src/tasks/groupby-limits'
import { AnalysisError } from './analysis-error'
import { type ColumnRef, chunkRound, type Kernel, ownerRound } from './kernel'
import { addValue, emptyMoments, type Moments, meanOf, mergeMoments, sampleStd } from './stats/moments'
import { compareCodePoints, medianSorted } from './stats/order-stats'
import { F64Buffer, ownsText } from './stats/ownership'

/** One aggregation's running state in one group (plain JSON, mergeable). */
type Acc =
  | { fn: 'count'; n: number }
  | { fn: 'sum'; sum: number; comp: number }
  | { fn: 'mean' | 'std'; m: Moments }
  | { fn: 'min' | 'max'; v: number | null }
  | { fn: 'median' }

type Group = { key: JsonCell[]; accs: Acc[] }
/** Groups by their composite key text. */
type Groups = Record<string, Group>
type Medians = Record<string, (number | null)[]>
type GroupbyContext = { groups?: Groups; medians?: Medians }

export type GroupbyResult = { by: string[]; rows: Record<string, JsonCell>[] }

const SEPARATOR = '\u0001'

/** An analysis that would make more groups than its `max_groups`: it fails as soon as it passes it. */
const tooManyGroups = (max: number) =>
  new AnalysisError(
    `the group-by makes more than ${max} groups (max_groups); group by fewer or coarser columns, or raise max_groups (at most ${MAX_GROUPS_LIMIT})`,
  )

/** One key column of a chunk as a small code per row, with the value each code stands for. */
function keyCodes(chunk: Chunk, column: ColumnRef): { codes: Int32Array; values: JsonCell[] } {
  const n = chunk.rowCount
  if (column.type === 'string') {
    const view = columnView(chunk, column.index, 'string')
    const nullCode = view.dictionary.length
    const codes = view.nullCount === 0 ? view.codes : view.codes.map(c => (c === -1 ? nullCode : c))
    return { codes, values: [...view.dictionary, null] }
  }
  if (column.type === 'boolean') {
    const { values } = columnView(chunk, column.index, 'boolean')
    return { codes: Int32Array.from(values, v => (v === -1 ? 2 : v)), values: [false, true, null] }
  }
  const { values } = columnView(chunk, column.index, column.type)
  const index = new Map<number, number>()
  const distinct: JsonCell[] = []
  const codes = new Int32Array(n)
  for (let r = 0; r < n; r++) {
    const v = values[r]!
    const key = Number.isNaN(v) ? Number.NaN : v === 0 ? 0 : v
    let code = index.get(key)
    if (code === undefined) {
      code = distinct.length
      distinct.push(Number.isNaN(v) ? null : key)
      index.set(key, code)
    }
    codes[r] = code
  }
  return { codes, values: distinct }
}

/**
 * The groups of one chunk: a dense group number per row and each group's key. Key columns are
 * combined pairwise into dense numbers, so any number of keys stays within small integers.
 */
function chunkGroups(chunk: Chunk, keys: ColumnRef[], maxGroups: number): { ids: Int32Array; keys: JsonCell[][] } {
  const columns = keys.map(k => keyCodes(chunk, k))
  let ids = columns[0]!.codes
  let groupKeys: JsonCell[][] = columns[0]!.values.map(v => [v])
  for (let c = 1; c < columns.length; c++) {
    const next = columns[c]!
    const width = next.values.length
    const dense = new Map<number, number>()
    const combined = new Int32Array(chunk.rowCount)
    const combinedKeys: JsonCell[][] = []
    for (let r = 0; r < chunk.rowCount; r++) {
      const pair = ids[r]! * width + next.codes[r]!
      let id = dense.get(pair)
      if (id === undefined) {
        id = combinedKeys.length
        combinedKeys.push([...groupKeys[ids[r]!]!, next.values[next.codes[r]!]!])
        dense.set(pair, id)
      }
      combined[r] = id
    }
    ids = combined
    groupKeys = combinedKeys
  }
  return present(ids, groupKeys, maxGroups)
}

/** Renumbers groups densely over those that occur (a key column's null slot may not). */
function present(ids: Int32Array, keys: JsonCell[][], maxGroups: number): { ids: Int32Array; keys: JsonCell[][] } {
  const remap = new Int32Array(keys.length).fill(-1)
  const kept: JsonCell[][] = []
  const dense = new Int32Array(ids.length)
  for (let r = 0; r < ids.length; r++) {
    let id = remap[ids[r]!]!
    if (id === -1) {
      id = kept.length
      if (id === maxGroups) throw tooManyGroups(maxGroups)
      remap[ids[r]!] = id
      kept.push(keys[ids[r]!]!)
    }
    dense[r] = id
  }
  return { ids: dense, keys: kept }
}

/** Key text that keeps types apart: the string "1" and the number 1 are different groups. */
const keyText = (key: JsonCell[]) => key.map(v => (v === null ? '\u0000' : `${typeof v}:${v}`)).join(SEPARATOR)

function emptyAcc(fn: GroupbyFunction): Acc {
  switch (fn) {
    case 'count':
      return { fn, n: 0 }
    case 'sum':
      return { fn, sum: 0, comp: 0 }
    case 'mean':
    case 'std':
      return { fn, m: emptyMoments() }
    case 'min':
    case 'max':
      return { fn, v: null }
    case 'median':
      return { fn }
  }
}

/** Adds a present value (Neumaier-compensated sum, as pandas' Kahan-summed group sums). */
function accumulate(acc: Acc, x: number): void {
  switch (acc.fn) {
    case 'count':
      acc.n++
      return
    case 'sum': {
      const t = acc.sum + x
      acc.comp += Math.abs(acc.sum) >= Math.abs(x) ? acc.sum - t + x : x - t + acc.sum
      acc.sum = t
      return
    }
    case 'mean':
    case 'std':
      addValue(acc.m, x)
      return
    case 'min':
      if (acc.v === null || x < acc.v) acc.v = x
      return
    case 'max':
      if (acc.v === null || x > acc.v) acc.v = x
  }
}

function mergeAcc(a: Acc, b: Acc): Acc {
  if (a.fn === 'count' && b.fn === 'count') return { fn: 'count', n: a.n + b.n }
  if (a.fn === 'sum' && b.fn === 'sum') {
    const acc: Acc = { fn: 'sum', sum: a.sum, comp: a.comp + b.comp }
    accumulate(acc, b.sum)
    return acc
  }
  if ((a.fn === 'mean' || a.fn === 'std') && (b.fn === 'mean' || b.fn === 'std'))
    return { fn: a.fn, m: mergeMoments(a.m, b.m) }
  if (a.fn === 'min' && b.fn === 'min')
    return { fn: 'min', v: a.v === null ? b.v : b.v === null ? a.v : Math.min(a.v, b.v) }
  if (a.fn === 'max' && b.fn === 'max')
    return { fn: 'max', v: a.v === null ? b.v : b.v === null ? a.v : Math.max(a.v, b.v) }
  return a
}

function accValue(acc: Acc, median: number | null | undefined): JsonCell {
  switch (acc.fn) {
    case 'count':
      return acc.n
    case 'sum':
      return acc.sum + acc.comp
    case 'mean':
      return meanOf(acc.m)
    case 'std':
      return sampleStd(acc.m)
    case 'min':
    case 'max':
      return acc.v
    case 'median':
      return median ?? null
  }
}

/** Ascending by key, column by column: numbers, datetimes and booleans by value, strings by code point, null last. */
function compareKeys(a: JsonCell[], b: JsonCell[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!
    const y = b[i]!
    if (x === y) continue
    if (x === null) return 1
    if (y === null) return -1
    const order = typeof x === 'string' ? compareCodePoints(x, y as string) : Number(x) - Number(y)
    if (order !== 0) return order
  }
  return 0
}

/**
 * pandas' `groupby(by, dropna=False).agg(...)`, rows sorted by key. Counts, sums, means, std,
 * min and max merge across chunks; medians need each group's values, so an owning round gives
 * each part the groups whose key hashes to it and sorts only their values.
 */
export function groupbyKernel(params: GroupbyParams, columns: ColumnRef[]): Kernel<GroupbyContext, GroupbyResult> {
  const byName = (name: string) => columns.find(c => c.name === name)!
  const keys = params.by.map(byName)
  const aggs = params.aggregations.map(a => ({ ...a, column: byName(a.column) }))
  const medianAggs = aggs.flatMap((a, i) => (a.fn === 'median' ? [i] : []))
  const maxGroups = params.max_groups ?? DEFAULT_MAX_GROUPS
  /**
   * The keys of every chunk this kernel grouped: in one thread, those of the whole task
   * (unsplit) or of one part (split), so either stops at the chunk that passes the limit
   * rather than after holding every chunk's groups. Parts see disjoint chunks, so the merge of
   * their partials counts again.
   */
  const seen = new Set<string>()
  /** How many groups a merged partial holds, as it grows in place. */
  const sizes = new WeakMap<Groups, number>()
  /** A reader per aggregation: the value to count (any type) or to add (a number, NaN for null). */
  const readers = (chunk: Chunk) =>
    aggs.map(a => {
      if (a.fn !== 'count') return columnView(chunk, a.column.index, 'number').values
      const view = columnView(chunk, a.column.index, a.column.type)
      if (view.type === 'string') return Float64Array.from(view.codes, c => (c === -1 ? Number.NaN : 0))
      if (view.type === 'boolean') return Float64Array.from(view.values, v => (v === -1 ? Number.NaN : 0))
      return view.values
    })
  const rounds = [
    chunkRound<GroupbyContext, Groups>({
      stage: 'grouping',
      partial(_ctx, chunk) {
        const { ids, keys: groupKeys } = chunkGroups(chunk, keys, maxGroups)
        const texts = groupKeys.map(keyText)
        for (const text of texts) {
          seen.add(text)
          if (seen.size > maxGroups) throw tooManyGroups(maxGroups)
        }
        const accs = groupKeys.map(() => aggs.map(a => emptyAcc(a.fn)))
        readers(chunk).forEach((values, a) => {
          for (let r = 0; r < values.length; r++) {
            const x = values[r]!
            if (!Number.isNaN(x)) accumulate(accs[ids[r]!]![a]!, x)
          }
        })
        const groups: Groups = {}
        groupKeys.forEach((key, g) => {
          groups[texts[g]!] = { key, accs: accs[g]! }
        })
        return groups
      },
      // Partials are merged once each, left to right, so the accumulated one is grown in place.
      merge(a, b) {
        let size = sizes.get(a) ?? Object.keys(a).length
        for (const [text, group] of Object.entries(b)) {
          const mine = a[text]
          if (!mine && ++size > maxGroups) throw tooManyGroups(maxGroups)
          a[text] = mine ? { key: mine.key, accs: mine.accs.map((acc, i) => mergeAcc(acc, group.accs[i]!)) } : group
        }
        sizes.set(a, size)
        return a
      },
      fold: (ctx, groups) => ({ ...ctx, groups }),
    }),
  ]
  if (medianAggs.length > 0)
    rounds.push(
      ownerRound<GroupbyContext, Medians>({
        stage: 'ordering',
        part(_ctx, part, parts) {
          const owned = new Map<string, F64Buffer[]>()
          return {
            add(chunk) {
              const { ids, keys: groupKeys } = chunkGroups(chunk, keys, maxGroups)
              const buffers = groupKeys.map(key => {
                const text = keyText(key)
                if (!ownsText(text, part, parts)) return null
                let mine = owned.get(text)
                if (!mine) {
                  mine = medianAggs.map(() => new F64Buffer())
                  owned.set(text, mine)
                }
                return mine
              })
              const values = medianAggs.map(a => columnView(chunk, aggs[a]!.column.index, 'number').values)
              for (let r = 0; r < chunk.rowCount; r++) {
                const mine = buffers[ids[r]!]
                if (!mine) continue
                for (let i = 0; i < values.length; i++) {
                  const x = values[i]![r]!
                  if (!Number.isNaN(x)) mine[i]!.push(x)
                }
              }
            },
            async summarize(step) {
              const medians: Medians = {}
              for (const [text, buffers] of owned) medians[text] = buffers.map(b => medianSorted(b.take().sort()))
              await step()
              return medians
            },
          }
        },
        merge: (a, b) => ({ ...a, ...b }),
        fold: (ctx, medians) => ({ ...ctx, medians }),
      }),
    )
  const iso = (v: JsonCell, column: ColumnRef) =>
    column.type === 'datetime' && typeof v === 'number' ? new Date(v).toISOString() : v
  return {
    columns: [...keys, ...aggs.map(a => a.column)],
    start: {},
    rounds,
    finish(ctx) {
      const groups = Object.entries(ctx.groups!).sort(([, a], [, b]) => compareKeys(a.key, b.key))
      return {
        by: params.by,
        // fromEntries defines each key, so a key column named __proto__ is kept like any other.
        rows: groups.map(([text, group]) =>
          Object.fromEntries([
            ...keys.map((k, i) => [k.name, iso(group.key[i]!, k)]),
            ...aggs.map((a, i) => {
              const median = a.fn === 'median' ? ctx.medians?.[text]?.[medianAggs.indexOf(i)] : undefined
              return [`${a.fn}_${a.column.name}`, accValue(group.accs[i]!, median)]
            }),
          ]),
        ),
      }
    },
  }
}
