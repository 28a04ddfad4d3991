import { h } from '../dom'
import type { TaskStatus } from '../types'

/** A task's status as a coloured badge whose text says it (colour is never the only cue). */
export const statusBadge = (status: TaskStatus) => h('span', { class: `badge ${status}` }, status)
