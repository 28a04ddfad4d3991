/**
 * How many groups a group-by may make (`max_groups`): by default, and at most. The params'
 * schema and the kernel (which must not load the api's schemas in a thread) share them.
 */
export const DEFAULT_MAX_GROUPS = 10_000
export const MAX_GROUPS_LIMIT = 1_000_000
