import { Worker } from 'node:worker_threads'
import { createKernel } from '../../jobs/kernels/create-kernel'
import { mergeParts } from '../../jobs/threads/run-rounds'
import { chunkRange, partsOf } from '../../jobs/threads/split-plan'
import { decodeStored } from '../../src/storage/chunk-store'
import { validateAnalysis } from '../../src/tasks/analyses'
import type { AnalysisKind } from '../../src/tasks/kinds'
import { SYNTHETIC_COLUMNS, syntheticChunks } from '../support/synthetic'
import type { PartRequest } from './lib/kernel-thread'
import { fmt } from './lib/services'

const ROWS = 1_000_000
const CHUNK_ROWS = 65_536
const FLOATS = SYNTHETIC_COLUMNS.slice(0, 8).map(c => c.name)

const ANALYSES: [string, AnalysisKind, unknown][] = [
  ['profile (10 columns)', 'profile', {}],
  ['correlation pearson (8 columns)', 'correlation', { columns: FLOATS }],
  ['correlation spearman (8 columns)', 'correlation', { columns: FLOATS, method: 'spearman' }],
  ['histogram (1 column, 20 bins)', 'histogram', { column: 'f1' }],
  [
    'groupby cat: sum, mean, std, median of f1',
    'groupby',
    { by: ['cat'], aggregations: ['sum', 'mean', 'std', 'median'].map(fn => ({ column: 'f1', fn })) },
  ],
  ['regression f1 ~ f2…f8', 'regression', { target: 'f1', features: FLOATS.slice(1) }],
  ['outliers iqr (1 column)', 'outliers', { column: 'f1', method: 'iqr' }],
]

type Pool = { threads: Worker[]; run(request: PartRequest, thread: number): Promise<unknown>; close(): Promise<void> }

async function startPool(size: number): Promise<Pool> {
  const script = new URL('./lib/kernel-thread.ts', import.meta.url).pathname
  const threads = Array.from(
    { length: size },
    () => new Worker(script, { workerData: { rows: ROWS, chunkRows: CHUNK_ROWS } }),
  )
  await Promise.all(threads.map(t => new Promise(resolve => t.once('message', resolve))))
  return {
    threads,
    run: (request, thread) =>
      new Promise(resolve => {
        threads[thread]!.once('message', resolve)
        threads[thread]!.postMessage(request)
      }),
    close: async () => {
      await Promise.all(threads.map(t => t.terminate()))
    },
  }
}

/** One analysis with its parts spread over the pool's threads, rounds as the flow runs them. */
async function timeAnalysis(
  pool: Pool,
  kind: AnalysisKind,
  params: Record<string, unknown>,
  chunkCount: number,
): Promise<number> {
  const kernel = createKernel(kind, params, SYNTHETIC_COLUMNS)
  const started = performance.now()
  let ctx = kernel.start
  for (let r = 0; r < kernel.rounds.length; r++) {
    const round = kernel.rounds[r]!
    const n = partsOf(kernel, r, pool.threads.length, chunkCount)
    const outputs = await Promise.all(
      Array.from({ length: n }, (_, part) => {
        const range = round.by === 'chunks' ? chunkRange(part, n, chunkCount) : { from: 0, to: chunkCount }
        return pool.run({ kind, params, round: r, part, parts: n, ctx, ...range }, part % pool.threads.length)
      }),
    )
    ctx = round.fold(ctx, mergeParts(round, outputs), partsOf(kernel, r + 1, pool.threads.length, chunkCount))
  }
  kernel.finish(ctx)
  return performance.now() - started
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!

/**
 * Compute time of each kind on 1,000,000 × 10 rows already decoded in memory, with one thread
 * and split over two, beside the memory-speed floor: one plain pass summing the 8 float columns.
 */
export async function kernels(): Promise<Record<string, string>> {
  const chunks = [...syntheticChunks(ROWS, CHUNK_ROWS)].map((c, seq) =>
    decodeStored({ seq, rowStart: seq * CHUNK_ROWS, rowCount: c.rowCount, data: c.bytes }),
  )
  const floorRuns: number[] = []
  for (let run = 0; run < 7; run++) {
    const started = performance.now()
    let total = 0
    for (const chunk of chunks)
      for (let c = 0; c < 8; c++) {
        const values = (chunk.columns.get(c) as { values: Float64Array }).values
        for (let r = 0; r < values.length; r++) total += values[r]!
      }
    if (Number.isNaN(total)) throw new Error('unreachable')
    floorRuns.push(performance.now() - started)
  }
  const floor = median(floorRuns)
  const figures: Record<string, string> = { 'floor: one pass summing 8 float columns (1M rows)': `${fmt(floor, 2)} ms` }
  const pools = [await startPool(1), await startPool(2)]
  try {
    for (const [name, kind, raw] of ANALYSES) {
      const params = validateAnalysis(kind, raw, SYNTHETIC_COLUMNS)
      const times: number[] = []
      for (const pool of pools) {
        await timeAnalysis(pool, kind, params, chunks.length)
        const runs = [] as number[]
        for (let run = 0; run < 3; run++) runs.push(await timeAnalysis(pool, kind, params, chunks.length))
        times.push(median(runs))
      }
      const [one, two] = times as [number, number]
      figures[name] =
        `1 thread ${fmt(one, 0)} ms (${fmt(one / floor, 1)}× floor), 2 threads ${fmt(two, 0)} ms (${fmt(two / floor, 1)}× floor), speed-up ${fmt(one / two, 2)}×`
    }
  } finally {
    for (const pool of pools) await pool.close()
  }
  return figures
}
