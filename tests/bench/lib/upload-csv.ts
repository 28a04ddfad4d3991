import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs'

const dataDir = new URL('../.data/', import.meta.url).pathname

export const UPLOAD_COLUMNS = ['id', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8', 'category'] as const

/** mulberry32: a small seeded generator, so every run measures the same bytes. */
function seededRandom(seed: number): () => number {
  let s = seed
  return () => {
    s = (s + 0x6d2b79f5) | 0
    let t = Math.imul(s ^ (s >>> 15), 1 | s)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * The upload benchmark's CSV: `rows` rows of an integer id, 8 floats with 5 decimals and a
 * category of 50 values, about 97 bytes a row. Written once under tests/bench/.data (git-ignored)
 * and reused while it exists.
 */
export async function uploadCsv(rows: number): Promise<{ path: string; bytes: number }> {
  const path = `${dataDir}upload-${rows}.csv`
  if (!existsSync(path)) {
    mkdirSync(dataDir, { recursive: true })
    const random = seededRandom(rows)
    const partial = `${path}.partial`
    const writer = Bun.file(partial).writer()
    writer.write(`${UPLOAD_COLUMNS.join(',')}\n`)
    let text = ''
    for (let i = 0; i < rows; i++) {
      text += i
      for (let c = 0; c < 8; c++) text += `,${(random() * 2000 - 1000).toFixed(5)}`
      text += `,cat_${Math.floor(random() * 50)}\n`
      if (text.length > 1 << 16) {
        writer.write(text)
        text = ''
      }
    }
    writer.write(text)
    await writer.end()
    renameSync(partial, path)
  }
  return { path, bytes: statSync(path).size }
}
