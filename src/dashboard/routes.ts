import { Elysia, t } from 'elysia'
import { type Asset, dashboardAssets } from './bundle'

/** Answers an asset, or 304 when the browser's copy is current (`no-cache` makes it ask each time). */
function serve(asset: Asset, request: Request): Response {
  const headers = { etag: asset.etag, 'cache-control': 'no-cache' }
  if (request.headers.get('if-none-match') === asset.etag) return new Response(null, { status: 304, headers })
  return new Response(asset.body, { headers: { 'content-type': asset.type, ...headers } })
}

/** How one file of the dashboard appears in the OpenAPI document. */
const documented = (summary: string, mediaType: string) => ({
  response: { 200: t.String({ contentMediaType: mediaType }) },
  detail: {
    summary,
    description: 'Needs no key. Revalidated by its `ETag` (`If-None-Match` answers 304).',
    tags: ['dashboard'],
  },
})

/**
 * The browser dashboard at `/`: one page, its script and its styles, none of which needs a key
 * (the page signs in by itself). Their content security policy comes with every page's answer.
 * The asset paths have no file extension: the OpenAPI plugin leaves such paths out of the
 * document, and every route is documented.
 */
export const dashboardRoutes = () =>
  new Elysia({ name: 'dashboard' })
    .get(
      '/',
      async ({ request }) => serve((await dashboardAssets()).html, request),
      documented('The dashboard page', 'text/html'),
    )
    .get(
      '/assets/dashboard-script',
      async ({ request }) => serve((await dashboardAssets()).script, request),
      documented("The dashboard's script", 'text/javascript'),
    )
    .get(
      '/assets/dashboard-styles',
      async ({ request }) => serve((await dashboardAssets()).styles, request),
      documented("The dashboard's style sheet", 'text/css'),
    )
