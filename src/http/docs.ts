import { fileURLToPath } from 'node:url'
import { swagger } from '@elysiajs/swagger'
import { Elysia } from 'elysia'

const SCALAR_BUNDLE = fileURLToPath(
  new URL('../../node_modules/@scalar/api-reference/dist/browser/standalone.js', import.meta.url),
)
const SCALAR_PATH = '/swagger/assets/scalar.js'

/**
 * The OpenAPI document at /swagger/json and its reference page at /swagger. The page's script
 * is served from the api itself, so the docs work on a machine with no internet.
 */
export const docs = (version: string) =>
  new Elysia({ name: 'docs' })
    .get(SCALAR_PATH, ({ set }) => {
      set.headers['cache-control'] = 'public, max-age=86400'
      return Bun.file(SCALAR_BUNDLE)
    })
    .use(
      swagger({
        path: '/swagger',
        exclude: [SCALAR_PATH],
        scalarCDN: SCALAR_PATH,
        scalarConfig: { withDefaultFonts: false },
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
            { name: 'system', description: 'Health and readiness' },
          ],
        },
      }),
    )
