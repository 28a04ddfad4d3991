import { fileURLToPath } from 'node:url'
import { type ElysiaOpenAPIConfig, openapi } from '@elysiajs/openapi'
import { Elysia } from 'elysia'
import { restoreStringFormats } from './string-formats'

restoreStringFormats()

const SCALAR_BUNDLE = fileURLToPath(
  new URL('../../node_modules/@scalar/api-reference/dist/browser/standalone.js', import.meta.url),
)
const SCALAR_PATH = '/swagger/assets/scalar.js'
const SPEC_PATH = '/swagger/json'
// The plugin types every Scalar option as required; these two are all that need setting.
const SCALAR_CONFIG = { cdn: SCALAR_PATH, url: SPEC_PATH, withDefaultFonts: false } as NonNullable<
  ElysiaOpenAPIConfig['scalar']
>

type ResponseObject = { description: string; content?: Record<string, unknown> }
type OpenApiDocument = { paths: Record<string, Record<string, { responses?: Record<string, ResponseObject> }>> }

/**
 * Corrections to the generated document: error answers are served as application/problem+json,
 * a 204 has no content (the generator writes an invalid one), and streams have their own type.
 */
function refineSpec(spec: OpenApiDocument): OpenApiDocument {
  for (const operations of Object.values(spec.paths))
    for (const operation of Object.values(operations))
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (status === '204') delete response.content
        else if (Number(status) >= 400 && response.content?.['application/json'])
          response.content = { 'application/problem+json': response.content['application/json'] }
        else retypeStream(response)
      }
  return spec
}

/** A streamed answer is described as a string with a `contentMediaType`; list it under that type. */
function retypeStream(response: ResponseObject): void {
  for (const [type, media] of Object.entries(response.content ?? {})) {
    const streamed = (media as { schema?: { contentMediaType?: string } }).schema?.contentMediaType
    if (!streamed || streamed === type) continue
    delete response.content![type]
    response.content![streamed] = media
  }
}

/**
 * The OpenAPI document at /swagger/json and its reference page at /swagger. The page's script
 * is served from the api itself, so the docs work on a machine with no internet.
 */
export const docs = (version: string) =>
  new Elysia({ name: 'docs' })
    .onAfterHandle(({ path, response }) => {
      if (path === SPEC_PATH) return refineSpec(response as OpenApiDocument)
    })
    .get(SCALAR_PATH, ({ set }) => {
      set.headers['cache-control'] = 'public, max-age=86400'
      return Bun.file(SCALAR_BUNDLE)
    })
    .use(
      openapi({
        path: '/swagger',
        specPath: SPEC_PATH,
        exclude: { paths: [SCALAR_PATH] },
        scalar: SCALAR_CONFIG,
        documentation: {
          info: {
            title: 'DataDynamo API',
            version,
            description:
              'Upload tabular datasets, run analyses in the background, watch them progress live, and read the results. Errors are RFC 9457 problem details.',
          },
          tags: [
            { name: 'datasets', description: 'Tabular datasets and their data' },
            { name: 'tasks', description: 'Analysis tasks: start, follow, read results' },
            { name: 'events', description: 'Live progress as Server-Sent Events' },
            { name: 'system', description: 'Health and readiness' },
          ],
        },
      }),
    )
