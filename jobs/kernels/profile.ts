import type { Chunk } from '../../src/storage/chunk-codec'
import { columnView } from '../../src/storage/column-view'
import type { ColumnType } from '../../src/storage/columns'
import type { ProfileParams } from '../../src/tasks/analyses'
import { binValues, type Histogram, histogramEdges } from './histogram'
import type { ColumnRef, Kernel, OwnedPart } from './kernel'
import { addValue, emptyMoments, type Moments, meanOf, mergeMoments, sampleStd } from './moments'
import { compareCodePoints, distinctSorted, lerp, quantileRanks } from './order-stats'
import { F64Buffer, ownedRange, ownerBounds, ownsText, ownsValue, sampleEvenly } from './ownership'
import { countCodes, type TopEntry, takeTop } from './top'

const QUANTILES = [0.25, 0.5, 0.75] as const
const HISTOGRAM_BINS = 20
const TOP_VALUES = 10
const SAMPLE_PER_CHUNK = 64

type FloatScan = {
  kind: 'float'
  nulls: number
  moments: Moments
  min: number | null
  max: number | null
  sample: number[]
}
type BoolScan = { kind: 'bool'; nulls: number; trues: number; falses: number }
type TextScan = { kind: 'text'; nulls: number; count: number }
type ColumnScan = FloatScan | BoolScan | TextScan
export type ProfileScan = { rows: number; columns: ColumnScan[] }

type FloatPlan = { kind: 'float'; bounds: number[]; ranks: number[]; edges: number[] | null; top: boolean }
type ColumnPlan = FloatPlan | { kind: 'text' } | { kind: 'bool' }
export type ProfilePlan = { columns: ColumnPlan[] }

type FloatOwned = {
  kind: 'float'
  distinct: number
  at: Record<string, number>
  counts: number[] | null
  top: TopEntry<number>[] | null
}
type TextOwned = { kind: 'text'; distinct: number; top: TopEntry<string>[] }
type ColumnOwned = FloatOwned | TextOwned | { kind: 'bool' }
export type ProfileOwned = { columns: ColumnOwned[] }

export type ColumnProfile = {
  name: string
  type: ColumnType
  count: number
  nulls: number
  distinct: number
  min?: number | string | null
  max?: number | string | null
  mean?: number | null
  std?: number | null
  p25?: number | null
  p50?: number | null
  p75?: number | null
  histogram?: Histogram
  top?: { value: string | number | boolean; count: number }[]
}
export type ProfileResult = { row_count: number; columns: ColumnProfile[] }

const isFloatType = (type: ColumnType) => type === 'integer' || type === 'number' || type === 'datetime'

function scanColumn(state: ColumnScan, chunk: Chunk, column: ColumnRef): void {
  if (state.kind === 'float') {
    const { values } = columnView(chunk, column.index, column.type as 'number')
    let { min, max } = state
    for (let i = 0; i < values.length; i++) {
      const x = values[i]!
      if (Number.isNaN(x)) {
        state.nulls++
        continue
      }
      addValue(state.moments, x)
      if (min === null || x < min) min = x
      if (max === null || x > max) max = x
    }
    state.min = min
    state.max = max
    sampleEvenly(values, SAMPLE_PER_CHUNK, state.sample)
  } else if (state.kind === 'bool') {
    const { values } = columnView(chunk, column.index, 'boolean')
    for (let i = 0; i < values.length; i++) {
      const v = values[i]
      if (v === 1) state.trues++
      else if (v === 0) state.falses++
      else state.nulls++
    }
  } else {
    const { nullCount } = columnView(chunk, column.index, 'string')
    state.nulls += nullCount
    state.count += chunk.rowCount - nullCount
  }
}

function mergeColumn(a: ColumnScan, b: ColumnScan): ColumnScan {
  if (a.kind === 'float' && b.kind === 'float') {
    return {
      kind: 'float',
      nulls: a.nulls + b.nulls,
      moments: mergeMoments(a.moments, b.moments),
      min: a.min === null ? b.min : b.min === null ? a.min : Math.min(a.min, b.min),
      max: a.max === null ? b.max : b.max === null ? a.max : Math.max(a.max, b.max),
      sample: a.sample.concat(b.sample),
    }
  }
  if (a.kind === 'bool' && b.kind === 'bool')
    return { kind: 'bool', nulls: a.nulls + b.nulls, trues: a.trues + b.trues, falses: a.falses + b.falses }
  if (a.kind === 'text' && b.kind === 'text')
    return { kind: 'text', nulls: a.nulls + b.nulls, count: a.count + b.count }
  throw new Error('profile partials of different shapes')
}

function planColumn(scan: ColumnScan, column: ColumnRef, parts: number): ColumnPlan {
  if (scan.kind !== 'float') return { kind: scan.kind }
  const n = scan.moments.n
  const ranks = n === 0 ? [] : [...new Set(QUANTILES.flatMap(q => [quantileRanks(n, q).lo, quantileRanks(n, q).hi]))]
  const numeric = column.type !== 'datetime'
  return {
    kind: 'float',
    bounds: ownerBounds(scan.sample, parts),
    ranks,
    edges: numeric ? histogramEdges(scan.min, scan.max, HISTOGRAM_BINS) : null,
    top: !numeric,
  }
}

function floatPart(plan: FloatPlan, column: ColumnRef, part: number) {
  const range = ownedRange(plan.bounds, part)
  const owned = new F64Buffer()
  let below = 0
  return {
    add(chunk: Chunk) {
      const { values } = columnView(chunk, column.index, column.type as 'number')
      for (let i = 0; i < values.length; i++) {
        const x = values[i]!
        if (Number.isNaN(x)) continue
        if (x < range.lo) below++
        else if (ownsValue(range, x)) owned.push(x)
      }
    },
    summarize(): FloatOwned {
      const sorted = owned.take().sort()
      const distinct = distinctSorted(sorted)
      const at: Record<string, number> = {}
      for (const rank of plan.ranks) {
        const local = rank - below
        if (local >= 0 && local < sorted.length) at[rank] = sorted[local]!
      }
      let counts: number[] | null = null
      if (plan.edges) {
        counts = new Array<number>(plan.edges.length - 1).fill(0)
        binValues(sorted, plan.edges, counts)
      }
      return { kind: 'float', distinct, at, counts, top: plan.top ? topOfSorted(sorted) : null }
    },
  }
}

/** The most frequent values of an ascending array: runs of equal values, largest first. */
function topOfSorted(sorted: Float64Array): TopEntry<number>[] {
  const runs: TopEntry<number>[] = []
  for (let i = 0; i < sorted.length; ) {
    let j = i + 1
    while (j < sorted.length && sorted[j] === sorted[i]) j++
    runs.push({ value: sorted[i]!, count: j - i })
    i = j
  }
  return takeTop(runs, TOP_VALUES, (a, b) => a - b)
}

function textPart(column: ColumnRef, part: number, parts: number) {
  const counts = new Map<string, number>()
  return {
    add(chunk: Chunk) {
      const { codes, dictionary } = columnView(chunk, column.index, 'string')
      countCodes(codes, dictionary, (value, count) => {
        if (ownsText(value, part, parts)) counts.set(value, (counts.get(value) ?? 0) + count)
      })
    },
    summarize(): TextOwned {
      const entries = Array.from(counts, ([value, count]) => ({ value, count }))
      return { kind: 'text', distinct: counts.size, top: takeTop(entries, TOP_VALUES, compareCodePoints) }
    },
  }
}

function mergeOwned(a: ColumnOwned, b: ColumnOwned): ColumnOwned {
  if (a.kind === 'float' && b.kind === 'float') {
    return {
      kind: 'float',
      distinct: a.distinct + b.distinct,
      at: { ...a.at, ...b.at },
      counts: a.counts && b.counts ? a.counts.map((c, i) => c + b.counts![i]!) : (a.counts ?? b.counts),
      top: a.top && b.top ? takeTop(a.top.concat(b.top), TOP_VALUES, (x, y) => x - y) : (a.top ?? b.top),
    }
  }
  if (a.kind === 'text' && b.kind === 'text')
    return {
      kind: 'text',
      distinct: a.distinct + b.distinct,
      top: takeTop(a.top.concat(b.top), TOP_VALUES, compareCodePoints),
    }
  return a
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

function finishColumn(column: ColumnRef, scan: ColumnScan, owned: ColumnOwned, plan: ColumnPlan): ColumnProfile {
  const base = { name: column.name, type: column.type }
  if (scan.kind === 'bool') {
    const entries = [
      { value: false, count: scan.falses },
      { value: true, count: scan.trues },
    ].filter(e => e.count > 0)
    return {
      ...base,
      count: scan.trues + scan.falses,
      nulls: scan.nulls,
      distinct: entries.length,
      top: entries.sort((a, b) => b.count - a.count || Number(a.value) - Number(b.value)),
    }
  }
  if (scan.kind === 'text' && owned.kind === 'text')
    return { ...base, count: scan.count, nulls: scan.nulls, distinct: owned.distinct, top: owned.top }
  if (scan.kind !== 'float' || owned.kind !== 'float' || plan.kind !== 'float')
    throw new Error('profile shapes disagree')
  const common = { ...base, count: scan.moments.n, nulls: scan.nulls, distinct: owned.distinct }
  if (column.type === 'datetime')
    return {
      ...common,
      min: iso(scan.min),
      max: iso(scan.max),
      top: (owned.top ?? []).map(e => ({ value: iso(e.value)!, count: e.count })),
    }
  const n = scan.moments.n
  const quantile = (q: number) => {
    if (n === 0) return null
    const { lo, hi, gamma } = quantileRanks(n, q)
    return lerp(owned.at[lo]!, owned.at[hi]!, gamma)
  }
  return {
    ...common,
    min: scan.min,
    max: scan.max,
    mean: meanOf(scan.moments),
    std: sampleStd(scan.moments),
    p25: quantile(0.25),
    p50: quantile(0.5),
    p75: quantile(0.75),
    histogram: { edges: plan.edges!, counts: owned.counts! },
  }
}

export function profileKernel(
  params: ProfileParams,
  columns: ColumnRef[],
): Kernel<ProfileScan, ProfilePlan, ProfileOwned, ProfileResult> {
  const selected = params.columns ? params.columns.map(name => columns.find(c => c.name === name)!) : columns
  return {
    columns: selected,
    scan: {
      init: () => ({
        rows: 0,
        columns: selected.map((c): ColumnScan => {
          if (isFloatType(c.type))
            return { kind: 'float', nulls: 0, moments: emptyMoments(), min: null, max: null, sample: [] }
          if (c.type === 'boolean') return { kind: 'bool', nulls: 0, trues: 0, falses: 0 }
          return { kind: 'text', nulls: 0, count: 0 }
        }),
      }),
      add(state, chunk) {
        state.rows += chunk.rowCount
        selected.forEach((column, i) => {
          scanColumn(state.columns[i]!, chunk, column)
        })
      },
      merge: (a, b) => ({ rows: a.rows + b.rows, columns: a.columns.map((c, i) => mergeColumn(c, b.columns[i]!)) }),
    },
    plan: (scan, parts) => ({ columns: scan.columns.map((c, i) => planColumn(c, selected[i]!, parts)) }),
    own: {
      part(plan, part, parts): OwnedPart<ProfileOwned> {
        const holders = selected.map((column, i) => {
          const p = plan.columns[i]!
          if (p.kind === 'float') return floatPart(p, column, part)
          if (p.kind === 'text') return textPart(column, part, parts)
          return { add() {}, summarize: (): ColumnOwned => ({ kind: 'bool' }) }
        })
        return {
          add: chunk => {
            for (const holder of holders) holder.add(chunk)
          },
          async summarize(onStep) {
            const out: ColumnOwned[] = []
            for (const holder of holders) {
              out.push(holder.summarize())
              await onStep?.()
            }
            return { columns: out }
          },
        }
      },
      merge: (a, b) => ({ columns: a.columns.map((c, i) => mergeOwned(c, b.columns[i]!)) }),
    },
    finish: (scan, owned, plan) => ({
      row_count: scan.rows,
      columns: selected.map((column, i) =>
        finishColumn(column, scan.columns[i]!, owned!.columns[i]!, plan.columns[i]!),
      ),
    }),
  }
}
