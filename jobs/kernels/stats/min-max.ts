/** The smaller of two partial minimums; null is a part that saw no value. */
export const minOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b))

/** The larger of two partial maximums; null is a part that saw no value. */
export const maxOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b))
