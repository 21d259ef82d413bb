/**
 * ag-grid text filter semantics (case-insensitive), evaluated by the query worker. Pure.
 */
import type { ColumnFilter, TextCondition } from './query-types'

function conditionMatches(condition: TextCondition, value: string): boolean {
  const needle = (condition.filter ?? '').toLowerCase()
  const hay = value.toLowerCase()
  switch (condition.type) {
    case 'contains':
      return hay.includes(needle)
    case 'notContains':
      return !hay.includes(needle)
    case 'equals':
      return hay === needle
    case 'notEqual':
      return hay !== needle
    case 'startsWith':
      return hay.startsWith(needle)
    case 'endsWith':
      return hay.endsWith(needle)
    case 'blank':
      return value.trim() === ''
    case 'notBlank':
      return value.trim() !== ''
    default:
      return true
  }
}

/** True when a value passes one column's filter (ag-grid text filter semantics, case-insensitive). */
export function filterMatches(filter: ColumnFilter, value: string): boolean {
  if ('conditions' in filter) {
    return filter.operator === 'OR'
      ? filter.conditions.some((c) => conditionMatches(c, value))
      : filter.conditions.every((c) => conditionMatches(c, value))
  }
  return conditionMatches(filter, value)
}
