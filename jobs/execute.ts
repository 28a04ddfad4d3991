import type { Chunk } from '../src/storage/chunk-codec'
import type { AnyKernel } from './kernels/kernel'
import type { ProgressReporter } from './progress'

/** Lets queued messages (BullMQ's cancel among them) reach a thread that is busy computing. */
export const yieldToEventLoop = () => new Promise<void>(resolve => setImmediate(resolve))

export class CancelledError extends Error {
  override name = 'CancelledError'
}

export type Step = (percent: number, stage: string, rows: number) => Promise<void>

export function stepper(reporter: ProgressReporter, signal?: AbortSignal): Step {
  return async (percent, stage, rows) => {
    await yieldToEventLoop()
    if (signal?.aborted) throw new CancelledError(String(signal.reason ?? 'cancelled'))
    await reporter.report(percent, stage, rows)
  }
}

/**
 * Runs a kernel in this thread over every chunk: one scan, then (if the kernel has one) one
 * owning part that holds everything. The chunks scanned are kept for the second round, so
 * this is for datasets small enough not to be split.
 */
export async function runUnsplit(
  kernel: AnyKernel,
  chunks: AsyncIterable<Chunk>,
  totalRows: number,
  step: Step,
): Promise<unknown> {
  const scan = kernel.scan.init()
  const held: Chunk[] = []
  const scanShare = kernel.own ? 50 : 95
  let rows = 0
  for await (const chunk of chunks) {
    kernel.scan.add(scan, chunk)
    if (kernel.own) held.push(chunk)
    rows += chunk.rowCount
    await step((rows / Math.max(totalRows, 1)) * scanShare, 'scanning', rows)
  }
  const plan = kernel.plan(scan, 1)
  let owned: unknown = null
  if (kernel.own) {
    const part = kernel.own.part(plan, 0, 1)
    let done = 0
    for (const chunk of held) {
      part.add(chunk)
      done += chunk.rowCount
      await step(50 + (done / Math.max(totalRows, 1)) * 40, 'ordering', rows)
    }
    owned = await part.summarize(() => step(95, 'summarizing', rows))
  }
  return kernel.finish(scan, owned, plan)
}
