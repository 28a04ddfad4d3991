const TYPES: [RegExp, string][] = [
  [/\.csv$/i, 'text/csv'],
  [/\.(ndjson|jsonl)$/i, 'application/x-ndjson'],
  [/\.json$/i, 'application/json'],
]

/**
 * The headers of a raw upload of a file (`PUT …/data`): its media type, from the name first
 * (browsers type `.ndjson` files as nothing at all), and gzip for a `.gz` file, which the API
 * inflates as it reads. A file of no known kind keeps the browser's type, and the API says no.
 */
export function rawUploadHeaders(fileName: string, browserType: string): Record<string, string> {
  const gzip = /\.gz$/i.test(fileName)
  const name = gzip ? fileName.slice(0, -3) : fileName
  const type = TYPES.find(([pattern]) => pattern.test(name))?.[1] ?? (browserType || 'application/octet-stream')
  return gzip ? { 'content-type': type, 'content-encoding': 'gzip' } : { 'content-type': type }
}
