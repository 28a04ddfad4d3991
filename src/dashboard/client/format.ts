/** How values are written on screen. Pure functions, unit-tested. */

const integerFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })

export const formatCount = (n: number) => integerFormat.format(n)

/** A statistic: up to 4 significant digits for ordinary sizes, exponent notation for extreme ones. */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—'
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞'
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return integerFormat.format(value)
  const magnitude = Math.abs(value)
  if (magnitude !== 0 && (magnitude < 1e-4 || magnitude >= 1e15)) return value.toExponential(3)
  return new Intl.NumberFormat('en-US', { maximumSignificantDigits: 4 }).format(value)
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB']

/** Bytes in decimal units, one decimal above a kilobyte: 1.5 MB. */
export function formatBytes(bytes: number): string {
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000
    unit++
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${BYTE_UNITS[unit]}`
}

/** A whole percentage for a progress figure, never more than 100. */
export const formatPercent = (fraction: number) => `${Math.min(100, Math.floor(fraction * 100))} %`

/** An ISO time in the reader's locale, to the minute. */
export function formatTime(iso: string | null): string {
  if (!iso) return '—'
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return date.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' })
}

const MIDNIGHT_UTC = /^(\d{4}-\d\d-\d\d)T00:00:00(?:\.000)?Z$/
const ISO_INSTANT = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d(?:\.\d+)?)Z$/

/** An ISO instant from the API, shorter: a date alone at midnight UTC, else date and time in UTC. */
export function formatInstant(iso: string): string {
  const midnight = MIDNIGHT_UTC.exec(iso)
  if (midnight) return midnight[1]!
  const instant = ISO_INSTANT.exec(iso)
  return instant ? `${instant[1]} ${instant[2]!.replace(/\.0+$/, '')} UTC` : iso
}

/** A cell of data as text, exactly as the API wrote it; null as an em dash. */
export const formatCell = (value: unknown) => (value === null || value === undefined ? '—' : String(value))

/** A file name without its data extensions, as a default dataset name: `trees.csv.gz` → `trees`. */
export const datasetNameOf = (fileName: string) =>
  fileName.replace(/(\.gz)?$/i, '').replace(/\.(csv|ndjson|jsonl|json)$/i, '') || fileName

/** A parameter of an analysis as a person would write it: lists joined, aggregations as `fn(column)`. */
export function formatParam(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value))
    return value
      .map(item =>
        item && typeof item === 'object' && 'fn' in item && 'column' in item
          ? `${item.fn}(${item.column})`
          : formatParam(item),
      )
      .join(', ')
  return JSON.stringify(value)
}
