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

let built: Promise<DashboardAssets> | undefined

/** The dashboard's files, built once per process; a failed build is tried again next time. */
export function dashboardAssets(): Promise<DashboardAssets> {
  built ??= buildAssets().catch(error => {
    built = undefined
    throw error
  })
  return built
}
