import type { ColumnInfo } from '../../src/storage/columns'
import type { AnalysisParams } from '../../src/tasks/analyses'
import type { AnalysisKind } from '../../src/tasks/kinds'
import { correlationKernel } from './correlation'
import { groupbyKernel } from './groupby'
import { histogramKernel } from './histogram'
import type { AnyKernel, ColumnRef, Kernel } from './kernel'
import { outliersKernel } from './outliers'
import { profileKernel } from './profile'
import { regressionKernel } from './regression'

export const columnRefs = (columns: readonly ColumnInfo[]): ColumnRef[] => columns.map((c, index) => ({ ...c, index }))

/** Kernels differ in their context and result types; the runner treats them alike. */
const erase = <C, R>(kernel: Kernel<C, R>) => kernel as unknown as AnyKernel

/** The kernel for a task; its params were validated against these columns when the task was created. */
export function createKernel(
  kind: AnalysisKind,
  params: Record<string, unknown>,
  columns: readonly ColumnInfo[],
): AnyKernel {
  const refs = columnRefs(columns)
  switch (kind) {
    case 'profile':
      return erase(profileKernel(params as AnalysisParams['profile'], refs))
    case 'correlation':
      return erase(correlationKernel(params as AnalysisParams['correlation'], refs))
    case 'histogram':
      return erase(histogramKernel(params as AnalysisParams['histogram'], refs))
    case 'groupby':
      return erase(groupbyKernel(params as AnalysisParams['groupby'], refs))
    case 'regression':
      return erase(regressionKernel(params as AnalysisParams['regression'], refs))
    case 'outliers':
      return erase(outliersKernel(params as AnalysisParams['outliers'], refs))
  }
}
