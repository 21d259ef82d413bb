import type { FacetValue } from './query-types'

/**
 * A facet's value list from its counts per code: the `limit` most frequent values (ties by
 * value), plus any selected value beyond them so a selection never disappears. Pure.
 */
export function facetList(
  values: readonly string[],
  counts: Uint32Array,
  selected: readonly string[],
  limit: number
): FacetValue[] {
  const list: FacetValue[] = []
  for (let code = 0; code < counts.length; code++) {
    if (counts[code]! > 0) {
      list.push({ value: values[code]!, count: counts[code]! })
    }
  }
  list.sort((a, b) => b.count - a.count || a.value.localeCompare(b.value))
  const top = list.slice(0, limit)
  for (const value of selected) {
    if (!top.some((entry) => entry.value === value)) {
      top.push({ value, count: list.find((entry) => entry.value === value)?.count ?? 0 })
    }
  }
  return top
}
