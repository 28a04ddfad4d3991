import type { Chunk } from '../../src/storage/chunk-codec'
import { columnView } from '../../src/storage/column-view'
import type { ColumnType } from '../../src/storage/columns'
import type { ProfileParams } from '../../src/tasks/analyses'
import { type ColumnRef, chunkRound, type Kernel, ownerRound } from './kernel'
import { binSorted, type Histogram, histogramEdges } from './stats/binning'
import { OwnedValues, planRanks, quantileFrom, type RankPlan } from './stats/exact-quantiles'
import { maxOf, minOf } from './stats/min-max'
import { type Moments, meanOf, mergeMoments, momentsOf, sampleStd } from './stats/moments'
import { compareCodePoints, distinctSorted } from './stats/order-stats'
import { ownsText, sampleEvenly } from './stats/ownership'
import { countCodes, type TopEntry, takeTop } from './stats/top-values'

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
type ProfileScan = { rows: number; columns: ColumnScan[] }

type FloatOwned = {
  kind: 'float'
  distinct: number
  at: Record<string, number>
  counts: number[] | null
  top: TopEntry<number>[] | null
}
type TextOwned = { kind: 'text'; distinct: number; top: TopEntry<string>[] }
type ColumnOwned = FloatOwned | TextOwned | { kind: 'bool' }
type ProfileOwned = { columns: ColumnOwned[] }

type ColumnPlan = { ranks: RankPlan; edges: number[] | null } | null
type ProfileContext = { scan?: ProfileScan; plans?: ColumnPlan[]; owned?: ProfileOwned }

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
const floats = (chunk: Chunk, column: ColumnRef) => columnView(chunk, column.index, column.type as 'number').values

function scanColumn(chunk: Chunk, column: ColumnRef): ColumnScan {
  if (isFloatType(column.type)) {
    const values = floats(chunk, column)
    const { moments, min, max } = momentsOf(values)
    const sample: number[] = []
    sampleEvenly(values, SAMPLE_PER_CHUNK, sample)
    const present = moments.n > 0
    return {
      kind: 'float',
      nulls: values.length - moments.n,
      moments,
      min: present ? min : null,
      max: present ? max : null,
      sample,
    }
  }
  if (column.type === 'boolean') {
    const { values } = columnView(chunk, column.index, 'boolean')
    const scan: BoolScan = { kind: 'bool', nulls: 0, trues: 0, falses: 0 }
    for (let i = 0; i < values.length; i++) {
      if (values[i] === 1) scan.trues++
      else if (values[i] === 0) scan.falses++
      else scan.nulls++
    }
    return scan
  }
  const { nullCount } = columnView(chunk, column.index, 'string')
  return { kind: 'text', nulls: nullCount, count: chunk.rowCount - nullCount }
}

function mergeScan(a: ColumnScan, b: ColumnScan): ColumnScan {
  if (a.kind === 'float' && b.kind === 'float')
    return {
      kind: 'float',
      nulls: a.nulls + b.nulls,
      moments: mergeMoments(a.moments, b.moments),
      min: minOf(a.min, b.min),
      max: maxOf(a.max, b.max),
      sample: a.sample.concat(b.sample),
    }
  if (a.kind === 'bool' && b.kind === 'bool')
    return { kind: 'bool', nulls: a.nulls + b.nulls, trues: a.trues + b.trues, falses: a.falses + b.falses }
  if (a.kind === 'text' && b.kind === 'text')
    return { kind: 'text', nulls: a.nulls + b.nulls, count: a.count + b.count }
  throw new Error('profile partials of different shapes')
}

/** After the scan, samples have done their job (placing the owners' ranges) and are dropped. */
function planColumn(scan: ColumnScan, column: ColumnRef, parts: number): ColumnPlan {
  if (scan.kind !== 'float') return null
  const numeric = column.type !== 'datetime'
  return {
    ranks: planRanks(scan.moments.n, scan.sample, numeric ? QUANTILES : [], parts),
    edges: numeric ? histogramEdges(scan.min, scan.max, HISTOGRAM_BINS) : null,
  }
}

const withoutSample = (scan: ColumnScan): ColumnScan => (scan.kind === 'float' ? { ...scan, sample: [] } : scan)

type Holder = { add(chunk: Chunk): void; summarize(): ColumnOwned }

function floatHolder(column: ColumnRef, plan: NonNullable<ColumnPlan>, part: number): Holder {
  const owned = new OwnedValues(plan.ranks, part)
  return {
    add(chunk) {
      const { values, nullCount } = columnView(chunk, column.index, column.type as 'number')
      owned.add(values, nullCount)
    },
    summarize() {
      const { sorted, at } = owned.sort(plan.ranks)
      let counts: number[] | null = null
      if (plan.edges) {
        counts = new Array<number>(plan.edges.length - 1).fill(0)
        binSorted(sorted, plan.edges, counts)
      }
      return {
        kind: 'float',
        distinct: distinctSorted(sorted),
        at,
        counts,
        top: plan.edges ? null : topOfSorted(sorted),
      }
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

function textHolder(column: ColumnRef, part: number, parts: number): Holder {
  const counts = new Map<string, number>()
  return {
    add(chunk) {
      const { codes, dictionary } = columnView(chunk, column.index, 'string')
      countCodes(codes, dictionary, (value, count) => {
        if (ownsText(value, part, parts)) counts.set(value, (counts.get(value) ?? 0) + count)
      })
    },
    summarize() {
      const entries = Array.from(counts, ([value, count]) => ({ value, count }))
      return { kind: 'text', distinct: counts.size, top: takeTop(entries, TOP_VALUES, compareCodePoints) }
    },
  }
}

const NO_HOLDER: Holder = { add() {}, summarize: () => ({ kind: 'bool' }) }

function mergeOwned(a: ColumnOwned, b: ColumnOwned): ColumnOwned {
  if (a.kind === 'float' && b.kind === 'float')
    return {
      kind: 'float',
      distinct: a.distinct + b.distinct,
      at: { ...a.at, ...b.at },
      counts: a.counts && b.counts ? a.counts.map((c, i) => c + b.counts![i]!) : (a.counts ?? b.counts),
      top: a.top && b.top ? takeTop(a.top.concat(b.top), TOP_VALUES, (x, y) => x - y) : (a.top ?? b.top),
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
    const top = [
      { value: false, count: scan.falses },
      { value: true, count: scan.trues },
    ]
      .filter(e => e.count > 0)
      .sort((a, b) => b.count - a.count || Number(a.value) - Number(b.value))
    return { ...base, count: scan.trues + scan.falses, nulls: scan.nulls, distinct: top.length, top }
  }
  if (scan.kind === 'text' && owned.kind === 'text')
    return { ...base, count: scan.count, nulls: scan.nulls, distinct: owned.distinct, top: owned.top }
  if (scan.kind !== 'float' || owned.kind !== 'float' || !plan) throw new Error('profile shapes disagree')
  const n = scan.moments.n
  const common = { ...base, count: n, nulls: scan.nulls, distinct: owned.distinct }
  if (column.type === 'datetime')
    return {
      ...common,
      min: iso(scan.min),
      max: iso(scan.max),
      top: (owned.top ?? []).map(e => ({ value: iso(e.value)!, count: e.count })),
    }
  return {
    ...common,
    min: scan.min,
    max: scan.max,
    mean: meanOf(scan.moments),
    std: sampleStd(scan.moments),
    p25: quantileFrom(owned.at, n, 0.25),
    p50: quantileFrom(owned.at, n, 0.5),
    p75: quantileFrom(owned.at, n, 0.75),
    histogram: { edges: plan.edges!, counts: owned.counts! },
  }
}

/**
 * Per-column statistics in two rounds: a chunk scan (counts, moments, min and max, a sample),
 * then an owning round for everything that needs values in order or in full (exact quartiles,
 * distinct counts, the histogram, the most frequent values).
 */
export function profileKernel(params: ProfileParams, columns: ColumnRef[]): Kernel<ProfileContext, ProfileResult> {
  const selected = params.columns ? params.columns.map(name => columns.find(c => c.name === name)!) : columns
  return {
    columns: selected,
    start: {},
    rounds: [
      chunkRound<ProfileContext, ProfileScan>({
        stage: 'scanning',
        partial: (_ctx, chunk) => ({ rows: chunk.rowCount, columns: selected.map(c => scanColumn(chunk, c)) }),
        merge: (a, b) => ({ rows: a.rows + b.rows, columns: a.columns.map((c, i) => mergeScan(c, b.columns[i]!)) }),
        fold: (ctx, scan, nextParts) => ({
          ...ctx,
          plans: scan.columns.map((c, i) => planColumn(c, selected[i]!, nextParts)),
          scan: { rows: scan.rows, columns: scan.columns.map(withoutSample) },
        }),
      }),
      ownerRound<ProfileContext, ProfileOwned>({
        stage: 'ordering',
        part(ctx, part, parts) {
          const holders = selected.map((column, i) => {
            const plan = ctx.plans![i]!
            if (plan) return floatHolder(column, plan, part)
            return column.type === 'string' ? textHolder(column, part, parts) : NO_HOLDER
          })
          return {
            add(chunk) {
              for (const holder of holders) holder.add(chunk)
            },
            async summarize(step) {
              const out: ColumnOwned[] = []
              for (const holder of holders) {
                out.push(holder.summarize())
                await step()
              }
              return { columns: out }
            },
          }
        },
        merge: (a, b) => ({ columns: a.columns.map((c, i) => mergeOwned(c, b.columns[i]!)) }),
        fold: (ctx, owned) => ({ ...ctx, owned }),
      }),
    ],
    finish: ({ scan, plans, owned }) => ({
      row_count: scan!.rows,
      columns: selected.map((column, i) => finishColumn(column, scan!.columns[i]!, owned!.columns[i]!, plans![i]!)),
    }),
  }
}
