import { parentPort, workerData } from 'node:worker_threads'
import { createKernel } from '../../../jobs/kernels/create-kernel'
import { runPart } from '../../../jobs/threads/run-rounds'
import { decodeStored } from '../../../src/storage/chunk-store'
import type { AnalysisKind } from '../../../src/tasks/kinds'
import { SYNTHETIC_COLUMNS, syntheticChunks } from '../../support/synthetic'

export type PartRequest = {
  kind: AnalysisKind
  params: Record<string, unknown>
  round: number
  part: number
  parts: number
  from: number
  to: number
  ctx: unknown
}

/** A benchmark thread: builds the synthetic chunks once, then runs the parts it is sent over them. */
const { rows, chunkRows } = workerData as { rows: number; chunkRows: number }
const chunks = [...syntheticChunks(rows, chunkRows)].map((c, seq) =>
  decodeStored({ seq, rowStart: seq * chunkRows, rowCount: c.rowCount, data: c.bytes }),
)
parentPort!.on('message', async (request: PartRequest) => {
  const kernel = createKernel(request.kind, request.params, SYNTHETIC_COLUMNS)
  const output = await runPart(
    kernel.rounds[request.round]!,
    request.ctx,
    request.part,
    request.parts,
    chunks.slice(request.from, request.to),
    async () => {},
  )
  parentPort!.postMessage(output)
})
parentPort!.postMessage('ready')
