/**
 * A failure that retrying cannot fix: the data or the params make the analysis impossible
 * (e.g. a singular regression). The task fails at once with this message as its reason.
 */
export class AnalysisError extends Error {
  override name = 'AnalysisError'
}
