/**
 * The kinds of analysis, listed once: the database column, the API's schemas, the kernels and
 * the dashboard all take them from here (src/tasks/analyses.ts says what each one's params are).
 */
export const ANALYSIS_KINDS = ['profile', 'correlation', 'histogram', 'groupby', 'regression', 'outliers'] as const
export type AnalysisKind = (typeof ANALYSIS_KINDS)[number]
