import { describe, expect, test } from 'bun:test'
import { runUnsplit } from '../../../../jobs/execute'
import { columnRefs } from '../../../../jobs/kernels'
import type { AnyKernel } from '../../../../jobs/kernels/kernel'
import { profileKernel } from '../../../../jobs/kernels/profile'
import type { Chunk } from '../../../../src/storage/chunk-codec'
import mixed from '../../../fixtures/mixed.json'
import { chunksOf, overTheWire } from '../../../support/chunks'
import { expectClose } from '../../../support/expect-close'

async function* each(chunks: Chunk[]) {
  yield* chunks
}
const noProgress = async () => {}

/** Runs a kernel split as a cluster would: chunk ranges scanned apart, `parts` owners, partials over the wire. */
async function runSplit(kernel: AnyKernel, chunks: Chunk[], ranges: number, parts: number) {
  const size = Math.ceil(chunks.length / ranges)
  const scans = []
  for (let r = 0; r < ranges; r++) {
    const state = kernel.scan.init()
    for (const chunk of chunks.slice(r * size, (r + 1) * size)) kernel.scan.add(state, chunk)
    scans.push(overTheWire(state))
  }
  const scan = scans.reduce((a, b) => kernel.scan.merge(a, b))
  const plan = overTheWire(kernel.plan(scan, parts))
  let owned: unknown = null
  if (kernel.own) {
    const summaries = []
    for (let p = 0; p < parts; p++) {
      const part = kernel.own.part(plan, p, parts)
      for (const chunk of chunks) part.add(chunk)
      summaries.push(overTheWire(await part.summarize()))
    }
    owned = summaries.reduce((a, b) => kernel.own!.merge(a, b))
  }
  return kernel.finish(scan, owned, plan)
}

describe('profile kernel', () => {
  test('matches pandas on the mixed fixture', async () => {
    const { chunks, columns } = await chunksOf(mixed.rows, 64)
    expect(columns.map(c => c.type as string)).toEqual(Object.values(mixed.types))
    const result = await runUnsplit(profileKernel({}, columnRefs(columns)), each(chunks), 240, noProgress)
    expectClose(result, mixed.profile)
  })

  test('gives the same result unsplit and split across chunk ranges and owners', async () => {
    const { chunks, columns } = await chunksOf(mixed.rows, 17)
    const kernel = () => profileKernel({}, columnRefs(columns))
    const unsplit = await runUnsplit(kernel(), each(chunks), 240, noProgress)
    for (const [ranges, parts] of [
      [2, 2],
      [4, 4],
      [3, 5],
      [15, 1],
    ] as const)
      expectClose(await runSplit(kernel(), chunks, ranges, parts), unsplit, 1e-12)
  })

  test('answers degenerate columns sensibly: empty, one value, constant', async () => {
    const rows = [
      { empty: null, one: 5, same: 2.5, label: null },
      { empty: null, one: null, same: 2.5, label: null },
    ]
    const { chunks, columns } = await chunksOf(rows, 10)
    const result = (await runUnsplit(profileKernel({}, columnRefs(columns)), each(chunks), 2, noProgress)) as {
      columns: Record<string, unknown>[]
    }
    expect(result.columns[0]).toEqual({ name: 'empty', type: 'string', count: 0, nulls: 2, distinct: 0, top: [] })
    expect(result.columns[1]).toMatchObject({
      name: 'one',
      count: 1,
      nulls: 1,
      distinct: 1,
      min: 5,
      max: 5,
      mean: 5,
      std: null,
      p25: 5,
      p50: 5,
      p75: 5,
    })
    expect(result.columns[2]).toMatchObject({ count: 2, distinct: 1, std: 0, mean: 2.5 })
    // NumPy widens a constant range by 0.5 each side.
    expect((result.columns[2] as { histogram: { edges: number[]; counts: number[] } }).histogram.edges[0]).toBe(2)
    expect((result.columns[2] as { histogram: { edges: number[]; counts: number[] } }).histogram.counts[10]).toBe(2)
  })
})
