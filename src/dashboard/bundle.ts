import { readdirSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** One built file of the dashboard, ready to serve. */
export type Asset = { body: Uint8Array<ArrayBuffer>; type: string; etag: string }

export type DashboardAssets = { html: Asset; script: Asset; styles: Asset }

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url))

async function asset(source: Blob, type: string): Promise<Asset> {
  const body = new Uint8Array(await source.arrayBuffer())
  const etag = `"${new Bun.CryptoHasher('sha256').update(body).digest('hex').slice(0, 16)}"`
  return { body, type, etag }
}

/**
 * Bundles the browser code and its style sheet with Bun's bundler, in memory. It takes a tenth
 * of a second, so it runs when the dashboard is first asked for rather than as a build step
 * that `bun run start` and the Docker image would both have to remember.
 */
async function buildAssets(): Promise<DashboardAssets> {
  const build = await Bun.build({
    entrypoints: [here('./client/main.ts'), here('./styles.css')],
    target: 'browser',
    minify: true,
    throw: false,
  })
  if (!build.success) throw new AggregateError(build.logs, 'the dashboard did not build')
  const output = (loader: 'ts' | 'css') => {
    const found = build.outputs.find(o => o.loader === loader)
    if (!found) throw new Error(`the dashboard build made no ${loader} output`)
    return found
  }
  return {
    html: await asset(Bun.file(here('./index.html')), 'text/html; charset=utf-8'),
    script: await asset(output('ts'), 'text/javascript; charset=utf-8'),
    styles: await asset(output('css'), 'text/css; charset=utf-8'),
  }
}

/**
 * The modification times of the dashboard's sources: a few dozen stats, next to nothing. A file
 * gone between the listing and its stat (an editor's temporary file) counts as changed.
 */
function sourcesVersion(): string {
  const files = readdirSync(here('.'), { recursive: true, encoding: 'utf8' }).sort()
  return files.map(file => `${file}@${statSync(here(`./${file}`), { throwIfNoEntry: false })?.mtimeMs}`).join('\n')
}

let built: { sources: string; assets: Promise<DashboardAssets> } | undefined

/**
 * The dashboard's files, built once and again whenever a source has changed since, so that
 * an edit shows on the next page load under `bun run dev` too (its restarts follow only the
 * server's own imports). A failed build is tried again next time.
 */
export function dashboardAssets(): Promise<DashboardAssets> {
  const sources = sourcesVersion()
  if (built?.sources !== sources) {
    const assets = buildAssets().catch(error => {
      if (built?.assets === assets) built = undefined
      throw error
    })
    built = { sources, assets }
  }
  return built.assets
}
