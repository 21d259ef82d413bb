/**
 * What a click on a stack entry filters the grid to: a column filter per stacked column, and
 * for a date bucket the range of its day or hour. Pure.
 */
import { EMPTY_VALUE } from '../../../shared/explorer'

import { bucketRangeOfLabel, parseDateBucketColumn } from './date-buckets'

/** What a click on an entry filters the grid to: column values, and a date range for a date bucket. */
export interface StackEntryFilter {
  columns: { colId: string; value: string }[]
  range: { fromMs: number; toMs: number } | null
}

/** The filter an entry stands for (pure; a bucket label gives back its day or hour). */
export function entryFilter(
  stackColumns: readonly string[],
  values: readonly string[]
): StackEntryFilter {
  const filter: StackEntryFilter = { columns: [], range: null }
  stackColumns.forEach((colId, i) => {
    const value = values[i] ?? EMPTY_VALUE
    const bucket = parseDateBucketColumn(colId)
    if (bucket) {
      filter.range = bucketRangeOfLabel(value, bucket.bucket, bucket.zone)
    } else {
      filter.columns.push({ colId, value })
    }
  })
  return filter
}
