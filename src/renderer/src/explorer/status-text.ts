import type { LoadProgress, QuerySummary } from './query-types'

/**
 * The count line. While the cache is still loading no figure may read as final: counts so far
 * are shown as lower bounds with what is loaded out of the whole cache.
 */
export function statusText(summary: QuerySummary, progress: LoadProgress): string {
  const isPartial = !progress.isDone || summary.indexed < progress.total
  if (!isPartial) {
    return `${summary.total.toLocaleString()} of ${summary.indexed.toLocaleString()} records`
  }
  return (
    `≥ ${summary.total.toLocaleString()} records so far · loading ` +
    `${progress.indexed.toLocaleString()} of ${progress.total.toLocaleString()}…`
  )
}
