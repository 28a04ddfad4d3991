import { createKernel } from '../../jobs/kernels/create-kernel'
import { mergeParts, runPart, runUnsplit } from '../../jobs/threads/run-rounds'
import { chunkRange, partsOf } from '../../jobs/threads/split-plan'
import type { StoredChunk } from '../../src/storage/chunk-store'
import type { ColumnInfo } from '../../src/storage/columns'
import { validateAnalysis } from '../../src/tasks/analyses'
import type { AnalysisKind } from '../../src/tasks/kinds'
import { overTheWire } from './chunks'

const noStep = async () => {}

/** The kernel for a request, its params validated and defaulted as POST …/process would. */
export function kernelFor(kind: AnalysisKind, params: unknown, columns: ColumnInfo[]) {
  return createKernel(kind, validateAnalysis(kind, params, columns), columns)
}

export const runHere = async (kind: AnalysisKind, params: unknown, columns: ColumnInfo[], chunks: StoredChunk[]) =>
  (await runUnsplit(kernelFor(kind, params, columns), chunks, noStep)).result

/**
 * Runs an analysis split as the flow does (the same partsOf / chunkRange / runPart /
 * mergeParts), with every part's output and every context passed through JSON, as they travel
 * through Redis between machines.
 */
export async function runSplit(
  kind: AnalysisKind,
  params: unknown,
  columns: ColumnInfo[],
  chunks: StoredChunk[],
  parts: number,
) {
  const kernel = kernelFor(kind, params, columns)
  let ctx = kernel.start
  for (let r = 0; r < kernel.rounds.length; r++) {
    const round = kernel.rounds[r]!
    const n = partsOf(kernel, r, parts, chunks.length)
    const outputs = []
    for (let part = 0; part < n; part++) {
      const { from, to } = round.by === 'chunks' ? chunkRange(part, n, chunks.length) : { from: 0, to: chunks.length }
      outputs.push(overTheWire(await runPart(round, overTheWire(ctx), part, n, chunks.slice(from, to), noStep)))
    }
    ctx = overTheWire(round.fold(ctx, mergeParts(round, outputs), partsOf(kernel, r + 1, parts, chunks.length)))
  }
  return kernel.finish(ctx)
}
