import { FormatRegistry } from '@sinclair/typebox'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/i

/**
 * Importing @elysiajs/openapi replaces TypeBox's string formats with checks that build a zod
 * schema on every call: a fifth of a list request's time went there. The formats our schemas
 * use get plain checks back; call this after the plugin is imported.
 */
export function restoreStringFormats(): void {
  FormatRegistry.Set('uuid', value => UUID.test(value))
  FormatRegistry.Set('date-time', value => DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)))
}
