import type { LoadProgress, QuerySummary } from './query-types'

/**
 * The count line. While the cache is still loading no figure may read as final: counts so far
 * are shown as lower bounds with what is loaded out of the whole cache. Shown / total: the rows
 * the view shows of every record cached; in highlight mode, first how many of them match the search.
 */
export function statusText(summary: QuerySummary, progress: LoadProgress): string {
  const isPartial = !progress.isDone || summary.indexed < progress.total
  const hits =
    summary.searchHits === undefined ? '' : `${summary.searchHits.toLocaleString()} highlighted · `
  if (!isPartial) {
    return `${hits}${summary.total.toLocaleString()} of ${summary.indexed.toLocaleString()} records`
  }
  return (
    hits +
    `≥ ${summary.total.toLocaleString()} records so far · loading ` +
    `${progress.indexed.toLocaleString()} of ${progress.total.toLocaleString()}…`
  )
}
