import type { ColumnInfo } from '../../src/storage/columns'
import type { AnalysisKind, ProfileParams } from '../../src/tasks/analyses'
import type { AnyKernel, ColumnRef } from './kernel'
import { profileKernel } from './profile'

export const columnRefs = (columns: readonly ColumnInfo[]): ColumnRef[] => columns.map((c, index) => ({ ...c, index }))

/** The kernel for a task; params were validated against these columns when the task was created. */
export function createKernel(
  kind: AnalysisKind,
  params: Record<string, unknown>,
  columns: readonly ColumnInfo[],
): AnyKernel {
  const refs = columnRefs(columns)
  switch (kind) {
    case 'profile':
      return profileKernel(params as ProfileParams, refs) as unknown as AnyKernel
  }
}
