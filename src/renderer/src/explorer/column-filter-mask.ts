/**
 * The rows passing one column filter (ag-grid's text filter, text-filter.ts) as a bitset: over a
 * coded column, decided once per distinct value, or for "contains"/"does not contain" filters
 * on pool-coded columns, by the values the quick search marks. Pure.
 */
import { MISSING, type CodedColumn } from './column-sort'
import type { GlobalPool } from './global-pool'
import type { ColumnFilter } from './query-types'
import { noRows, type RowBits } from './row-bits'
import { filterMatches } from './text-filter'

/** Rows 0…n-1 whose value (`valueOf`: the time, the tags) passes the filter. */
export function valueFilterMask(
  n: number,
  filter: ColumnFilter,
  valueOf: (row: number) => string
): RowBits {
  const mask = noRows(n)
  const words = mask.words
  for (let row = 0; row < n; row++) {
    if (filterMatches(filter, valueOf(row))) {
      words[row >>> 5]! |= 1 << (row & 31)
    }
  }
  return mask
}

/** Rows 0…n-1 of a coded column (null: a column no row has) that pass the filter. */
export function codedFilterMask(
  n: number,
  filter: ColumnFilter,
  column: CodedColumn | null,
  pool: GlobalPool
): RowBits {
  const mask = noRows(n)
  const words = mask.words
  const missing = filterMatches(filter, '') ? 1 : 0
  // Decided by the bits the search marked (a look-up a row), or value by value, once each.
  const byMarks = column?.pool ? containsByMarks(filter, pool) : null
  // Per code: decided yet, and passes — two bits, not a byte: a pool-coded column's codes span
  // the whole pool (~6 values a record: 30 MB at 5M records), and this is made for each filter.
  const memoWords = column && !byMarks ? (column.size + 31) >>> 5 : 0
  const decided = new Uint32Array(memoWords)
  const passing = new Uint32Array(memoWords)
  for (let row = 0; row < n; row++) {
    const code = column ? column.codes[row]! : MISSING
    let passes = missing
    if (code !== MISSING) {
      if (byMarks) {
        passes = byMarks(code) ? 1 : 0
      } else {
        const w = code >>> 5
        const bit = 1 << (code & 31)
        if ((decided[w]! & bit) === 0) {
          decided[w]! |= bit
          if (filterMatches(filter, column!.value(code))) {
            passing[w]! |= bit
          }
        }
        passes = (passing[w]! & bit) !== 0 ? 1 : 0
      }
    }
    words[row >>> 5]! |= passes << (row & 31)
  }
  return mask
}

/**
 * A filter of "contains" and "does not contain" conditions only, decided for global pool codes
 * by the quick search's marks (global-pool.ts: the same case-insensitive test as the filter's)
 * rather than by reading each value: a covered JSON text (json-cover.ts) is then rebuilt only
 * when it may hold the needle. Null for any other filter.
 */
function containsByMarks(
  filter: ColumnFilter,
  pool: GlobalPool
): ((code: number) => boolean) | null {
  const conditions = 'conditions' in filter ? filter.conditions : [filter]
  if (!conditions.every((c) => c.type === 'contains' || c.type === 'notContains')) {
    return null
  }
  // Per condition, a bit per pool value: whether it holds the needle.
  const found = conditions.map((condition) => {
    const has = new Uint32Array((pool.size + 31) >>> 5)
    pool.mark((condition.filter ?? '').toLowerCase()).forEach((codes, c) => {
      const first = pool.chunks[c]!.first
      for (const code of codes) {
        has[(first + code) >>> 5]! |= 1 << ((first + code) & 31)
      }
    })
    return has
  })
  const isOr = 'conditions' in filter && filter.operator === 'OR'
  return (code) => {
    for (let i = 0; i < conditions.length; i++) {
      const holds = ((found[i]![code >>> 5]! >>> (code & 31)) & 1) === 1
      const passes = holds === (conditions[i]!.type === 'contains')
      if (passes === isOr) {
        return isOr
      }
    }
    return !isOr
  }
}
