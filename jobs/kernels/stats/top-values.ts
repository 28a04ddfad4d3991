export type TopEntry<V> = { value: V; count: number }

/** Calls `visit` once per dictionary value present in `codes`, with how often it occurs. */
export function countCodes(
  codes: Int32Array,
  dictionary: readonly string[],
  visit: (value: string, count: number) => void,
): void {
  const counts = new Int32Array(dictionary.length)
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i]!
    if (code >= 0) counts[code]!++
  }
  for (let code = 0; code < counts.length; code++) if (counts[code]! > 0) visit(dictionary[code]!, counts[code]!)
}

/** The `k` most frequent entries, ties broken by value ascending (strings by code point). */
export function takeTop<V>(entries: TopEntry<V>[], k: number, compareValues: (a: V, b: V) => number): TopEntry<V>[] {
  return entries.sort((a, b) => b.count - a.count || compareValues(a.value, b.value)).slice(0, k)
}
