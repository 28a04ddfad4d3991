import { createDatasetQueries } from '../../src/datasets/queries'
import { createDb } from '../../src/db/client'
import { datasets } from '../../src/db/schema'
import { finishVersion, insertChunk, openVersion } from '../../src/storage/chunk-store'
import { SYNTHETIC_COLUMNS, syntheticChunks } from './synthetic'

/**
 * Stores the synthetic table as a dataset straight through the storage layer, as an upload
 * would leave it: a bench that measures analyses should not pay for parsing text first.
 */
export async function seedSynthetic(databaseUrl: string, rows: number, chunkRows = 65_536): Promise<string> {
  const db = createDb(databaseUrl, { max: 1 })
  try {
    return await db.transaction(async tx => {
      const [dataset] = await tx
        .insert(datasets)
        .values({ name: `synthetic ${rows}` })
        .returning()
      const version = await openVersion(tx, dataset!.id)
      let seq = 0
      let sizeBytes = 0
      for (const chunk of syntheticChunks(rows, chunkRows)) {
        await insertChunk(tx, dataset!.id, version, {
          seq,
          rowStart: seq * chunkRows,
          rowCount: chunk.rowCount,
          bytes: chunk.bytes,
        })
        sizeBytes += chunk.bytes.byteLength
        seq++
      }
      const summary = { rowCount: rows, columns: SYNTHETIC_COLUMNS, chunkCount: seq, sizeBytes }
      await finishVersion(tx, dataset!.id, version, summary)
      await createDatasetQueries(db).setData(tx, dataset!.id, version, summary)
      return dataset!.id
    })
  } finally {
    await db.$client.end()
  }
}
