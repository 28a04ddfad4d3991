/**
 * A record's own value under `key`: rows and results are keyed by column names, and a column
 * named `constructor` or `toString` must not read the built-in that every object inherits.
 */
export const ownValue = <T>(record: Readonly<Record<string, T>>, key: string): T | undefined =>
  Object.hasOwn(record, key) ? record[key] : undefined
