import type { AnyKernel } from '../kernels/kernel'

/** A split round's parts: chunk rounds divide the chunks, owner rounds each read them all. */
export function partsOf(kernel: AnyKernel, round: number, parts: number, chunkCount: number): number {
  const r = kernel.rounds[round]
  if (r === undefined) return 1
  if (r.by === 'owner') return r.single ? 1 : parts
  return Math.max(1, Math.min(parts, chunkCount))
}

/** The chunks [from, to) that part p of a chunk round reads, in balanced contiguous ranges. */
export const chunkRange = (part: number, parts: number, chunkCount: number) => ({
  from: Math.floor((part * chunkCount) / parts),
  to: Math.floor(((part + 1) * chunkCount) / parts),
})

/** Work of a whole analysis, in rows read: every round reads every row once per part that reads it all. */
export function totalWork(kernel: AnyKernel, rows: number, parts: (round: number) => number): number {
  return kernel.rounds.reduce((sum, r, i) => sum + (r.by === 'owner' ? rows * parts(i) : rows), 0)
}
