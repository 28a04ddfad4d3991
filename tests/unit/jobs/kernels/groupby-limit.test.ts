import { describe, expect, test } from 'bun:test'
import { AnalysisError } from '../../../../jobs/kernels/analysis-error'
import { runPart, runUnsplit } from '../../../../jobs/threads/run-rounds'
import { ProblemError } from '../../../../src/http/problem'
import type { StoredChunk } from '../../../../src/storage/chunk-store'
import { validateAnalysis } from '../../../../src/tasks/analyses'
import { chunksOf } from '../../../support/chunks'
import { kernelFor, runHere, runSplit } from '../../../support/kernels'

const noStep = async () => {}
const sumOf = (maxGroups?: number) => ({
  by: ['k'],
  aggregations: [{ column: 'v', fn: 'sum' }],
  ...(maxGroups !== undefined && { max_groups: maxGroups }),
})

/** Ten chunks of ten rows; chunk c holds eight keys of its own (chunks 0–4: keys 0–39, 5–9: keys 40–79). */
const eightKeysPerChunk = () =>
  chunksOf(
    Array.from({ length: 100 }, (_, i) => ({ k: Math.floor(i / 10) * 8 + (i % 8), v: 1 })),
    10,
  )

/** The chunks, counting how many a kernel has taken. */
function counted(chunks: StoredChunk[]) {
  const taken = { count: 0 }
  async function* each() {
    for (const chunk of chunks) {
      taken.count++
      yield chunk
    }
  }
  return { taken, each }
}

const tooMany = (max: number) =>
  `the group-by makes more than ${max} groups (max_groups); group by fewer or coarser columns, or raise max_groups (at most 1000000)`

describe('groupby max_groups', () => {
  test('is 10,000 unless given, an integer from 1 to 1,000,000 (else a 422 naming it)', async () => {
    const { columns } = await eightKeysPerChunk()
    expect(validateAnalysis('groupby', sumOf(), columns)).toMatchObject({ max_groups: 10_000 })
    expect(validateAnalysis('groupby', sumOf(1_000_000), columns)).toMatchObject({ max_groups: 1_000_000 })
    for (const bad of [0, -1, 1_000_001, 2.5, '10']) {
      let refused: unknown
      try {
        validateAnalysis('groupby', sumOf(bad as number), columns)
      } catch (error) {
        refused = error
      }
      expect(refused, String(bad)).toBeInstanceOf(ProblemError)
      expect(refused, String(bad)).toMatchObject({ status: 422, code: 'VALIDATION_FAILED' })
      expect((refused as ProblemError).errors?.map(e => e.path)).toEqual(['body.params.max_groups'])
    }
  })

  test('exactly max_groups groups complete; one more fails the task with a reason that says so', async () => {
    const { chunks, columns } = await eightKeysPerChunk()
    const result = (await runHere('groupby', sumOf(80), columns, chunks)) as { rows: unknown[] }
    expect(result.rows).toHaveLength(80)
    const failing = runHere('groupby', sumOf(79), columns, chunks)
    await expect(failing).rejects.toThrow(AnalysisError)
    await expect(failing).rejects.toThrow(tooMany(79))
  })

  test('fails at the chunk that passes the limit, not after grouping every chunk', async () => {
    const { chunks, columns } = await eightKeysPerChunk()
    const { taken, each } = counted(chunks)
    // 8, 16, 24 keys: the third chunk passes 20
    await expect(runUnsplit(kernelFor('groupby', sumOf(20), columns), each(), noStep)).rejects.toThrow(tooMany(20))
    expect(taken.count).toBe(3)
    // one chunk alone with more groups than allowed stops while its groups are built
    const single = counted(chunks)
    await expect(runUnsplit(kernelFor('groupby', sumOf(5), columns), single.each(), noStep)).rejects.toThrow(tooMany(5))
    expect(single.taken.count).toBe(1)
  })

  test('split runs: a part stops once its own chunks pass the limit, and the merge of parts counts their union', async () => {
    const { chunks, columns } = await eightKeysPerChunk()
    // a part of chunks 0–4 has 40 keys: with 30 allowed it stops at its fourth chunk
    const kernel = kernelFor('groupby', sumOf(30), columns)
    const { taken, each } = counted(chunks.slice(0, 5))
    await expect(runPart(kernel.rounds[0]!, kernel.start, 0, 2, each(), noStep)).rejects.toThrow(tooMany(30))
    expect(taken.count).toBe(4)
    // two parts of 40 keys each pass 50 only together
    await expect(runSplit('groupby', sumOf(50), columns, chunks, 2)).rejects.toThrow(tooMany(50))
    const whole = await runSplit('groupby', sumOf(80), columns, chunks, 2)
    expect(whole).toEqual(await runHere('groupby', sumOf(80), columns, chunks))
  })

  test('medians, which group again in their own round, keep to the same limit', async () => {
    const { chunks, columns } = await eightKeysPerChunk()
    const params = { by: ['k'], aggregations: [{ column: 'v', fn: 'median' }] }
    const result = (await runSplit('groupby', { ...params, max_groups: 80 }, columns, chunks, 2)) as { rows: unknown[] }
    expect(result.rows).toHaveLength(80)
    await expect(runSplit('groupby', { ...params, max_groups: 79 }, columns, chunks, 2)).rejects.toThrow(tooMany(79))
  })
})
