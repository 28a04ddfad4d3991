import type { ColumnInfo } from '../../src/storage/columns'
import type { AnalysisParams } from '../../src/tasks/analyses'
import type { AnalysisKind } from '../../src/tasks/kinds'
import { correlationKernel } from './correlation'
import { groupbyKernel } from './groupby'
import { histogramKernel } from './histogram'
import type { AnyKernel, ColumnRef } from './kernel'
import { outliersKernel } from './outliers'
import { profileKernel } from './profile'
import { regressionKernel } from './regression'

export const columnRefs = (columns: readonly ColumnInfo[]): ColumnRef[] => columns.map((c, index) => ({ ...c, index }))

/** Each kind's kernel. Kernels differ in their context and result types; the runner treats them alike. */
const KERNELS: { [K in AnalysisKind]: (params: AnalysisParams[K], columns: ColumnRef[]) => AnyKernel } = {
  profile: profileKernel,
  correlation: correlationKernel,
  histogram: histogramKernel,
  groupby: groupbyKernel,
  regression: regressionKernel,
  outliers: outliersKernel,
}

/** The kernel for a task; its params were validated against these columns when the task was created. */
export function createKernel(
  kind: AnalysisKind,
  params: Record<string, unknown>,
  columns: readonly ColumnInfo[],
): AnyKernel {
  // The params were validated for this kind; TypeScript cannot tie the two together.
  const make = KERNELS[kind] as (params: unknown, columns: ColumnRef[]) => AnyKernel
  return make(params, columnRefs(columns))
}
