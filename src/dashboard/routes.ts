import { Elysia } from 'elysia'
import { type Asset, dashboardAssets } from './bundle'

/** Answers an asset, or 304 when the browser's copy is current (`no-cache` makes it ask each time). */
function serve(asset: Asset, request: Request): Response {
  const headers = { etag: asset.etag, 'cache-control': 'no-cache' }
  if (request.headers.get('if-none-match') === asset.etag) return new Response(null, { status: 304, headers })
  return new Response(asset.body, { headers: { 'content-type': asset.type, ...headers } })
}

// The page and its files are not part of the API, so the OpenAPI document leaves them out.
const hidden = { detail: { hide: true } }

/**
 * The browser dashboard at `/`: one page, its script and its styles, none of which needs a key
 * (the page signs in by itself). Their content security policy comes with every page's answer.
 */
export const dashboardRoutes = () =>
  new Elysia({ name: 'dashboard' })
    .get('/', async ({ request }) => serve((await dashboardAssets()).html, request), hidden)
    .get('/assets/app.js', async ({ request }) => serve((await dashboardAssets()).script, request), hidden)
    .get('/assets/app.css', async ({ request }) => serve((await dashboardAssets()).styles, request), hidden)
