import type {
  CorrelationResult,
  GroupbyResult,
  HistogramResult,
  OutliersResult,
  ProfileResult,
  RegressionResult,
  Task,
} from '../types'
import { correlationView } from './correlation'
import { groupbyView } from './groupby'
import { histogramView } from './histogram'
import { outliersView } from './outliers'
import { profileView } from './profile'
import { regressionView } from './regression'

/** Draws a completed task's result in the form that suits its kind. */
export function resultView(task: Task): HTMLElement {
  switch (task.kind) {
    case 'profile':
      return profileView(task.result as ProfileResult)
    case 'correlation':
      return correlationView(task.result as CorrelationResult)
    case 'histogram':
      return histogramView(task.result as HistogramResult)
    case 'groupby':
      return groupbyView(
        task.result as GroupbyResult,
        (task.params.aggregations ?? []) as { column: string; fn: string }[],
      )
    case 'regression':
      return regressionView(task.result as RegressionResult)
    case 'outliers':
      return outliersView(task.result as OutliersResult)
  }
}
