import type { StoredChunk } from '../../src/storage/chunk-store'
import type { AnyKernel, Round } from '../kernels/kernel'

/** Lets queued messages (BullMQ's cancel among them) reach a thread that is busy computing. */
export const yieldToEventLoop = () => new Promise<void>(resolve => setImmediate(resolve))

/** Called between chunks: reports `rows` more rows done in the current stage, yields, honours a cancel. */
export type Step = (stage: string, rows: number) => Promise<void>

/** What one part of a round hands back: per-chunk partials (chunk rounds) or a summary (owner rounds). */
export type PartOutput = unknown

/** Runs part `part` of `parts` of a round over the chunks it is given. */
export async function runPart(
  round: Round<unknown>,
  ctx: unknown,
  part: number,
  parts: number,
  chunks: AsyncIterable<StoredChunk> | Iterable<StoredChunk>,
  step: Step,
): Promise<PartOutput> {
  if (round.by === 'chunks') {
    const partials: unknown[] = []
    for await (const chunk of chunks) {
      partials.push(round.partial(ctx, chunk))
      await step(round.stage, chunk.rowCount)
    }
    return partials
  }
  const owner = round.part(ctx, part, parts)
  for await (const chunk of chunks) {
    owner.add(chunk)
    await step(round.stage, chunk.rowCount)
  }
  return owner.summarize(() => step(round.stage, 0))
}

/**
 * Merges the outputs of a round's parts, given in part order. Chunk partials are merged left to
 * right in chunk order however the chunks were divided, so every split gives the same bits.
 */
export function mergeParts(round: Round<unknown>, outputs: PartOutput[]): unknown {
  const items = round.by === 'chunks' ? (outputs as unknown[][]).flat() : outputs
  if (items.length === 0) throw new Error('a round produced nothing to merge')
  return items.reduce((a, b) => round.merge(a, b))
}

/**
 * Runs a kernel in this thread, one part per round, for data small enough not to be split. The
 * first round takes the chunks as they are read, so reading and computing overlap; later rounds
 * go over the chunks kept from it, which it answers with the result.
 */
export async function runUnsplit(
  kernel: AnyKernel,
  chunks: AsyncIterable<StoredChunk> | Iterable<StoredChunk>,
  step: Step,
): Promise<{ result: unknown; chunks: StoredChunk[] }> {
  const kept: StoredChunk[] = []
  async function* keeping(): AsyncGenerator<StoredChunk> {
    for await (const chunk of chunks) {
      kept.push(chunk)
      yield chunk
    }
  }
  let ctx = kernel.start
  for (let r = 0; r < kernel.rounds.length; r++) {
    const round = kernel.rounds[r]!
    const output = await runPart(round, ctx, 0, 1, r === 0 ? keeping() : kept, step)
    ctx = round.fold(ctx, mergeParts(round, [output]), 1)
  }
  return { result: kernel.finish(ctx), chunks: kept }
}
