/**
 * A bound search (search-columns.ts) evaluated over the index as masks: each term's mask comes
 * from the index (any-column search or one column's "contains"), negated terms are inverted,
 * terms side by side are intersected and alternatives (OR) united. Pure.
 */
import type { BoundSearch } from './search-columns'

/** The rows (1) a search matches, given each term's mask; null for an empty search. */
export function evaluateSearch(
  search: BoundSearch,
  n: number,
  termMask: (colId: string | null, text: string) => Uint8Array
): Uint8Array | null {
  if (search.length === 0) {
    return null
  }
  const result = new Uint8Array(n)
  for (const terms of search) {
    const all = new Uint8Array(n).fill(1)
    for (const term of terms) {
      const mask = termMask(term.colId, term.text)
      const want = term.isNegated ? 0 : 1
      for (let row = 0; row < n; row++) {
        if (mask[row] !== want) {
          all[row] = 0
        }
      }
    }
    for (let row = 0; row < n; row++) {
      result[row]! |= all[row]!
    }
  }
  return result
}

/** What an any-column search reads of the index. */
export interface SearchableIndex {
  size: number
  /** 1 for each global pool code whose value contains the needle. */
  poolMarks: Uint8Array
  /** Chunks' flattened fields as (value code) pairs with per-row offsets. */
  chunks: readonly {
    firstRow: number
    count: number
    poolFirst: number
    pairStart: Uint32Array
    pairValue: Uint16Array | Uint32Array
  }[]
  /** Core text columns: codes per row, own dictionary values or null for pool codes. */
  columns: readonly { codes: Uint32Array; values: readonly string[] | null }[]
  tags: ReadonlyMap<string, ReadonlySet<number>>
}

/** 1 for rows where any field value, core column value or tag contains the (lower-case) needle. */
export function anyColumnMask(index: SearchableIndex, needle: string): Uint8Array {
  const n = index.size
  const mask = new Uint8Array(n)
  const globalMarks = index.poolMarks
  for (const chunk of index.chunks) {
    const { pairStart, pairValue, firstRow, poolFirst } = chunk
    for (let i = 0; i < chunk.count; i++) {
      for (let p = pairStart[i]!; p < pairStart[i + 1]!; p++) {
        if (globalMarks[poolFirst + pairValue[p]!] === 1) {
          mask[firstRow + i] = 1
          break
        }
      }
    }
  }
  // Derived columns (friendly activity, category, user type label…) are not in `fields`.
  for (const { codes, values } of index.columns) {
    if (!values) {
      for (let row = 0; row < n; row++) {
        if (globalMarks[codes[row]!] === 1) {
          mask[row] = 1
        }
      }
      continue
    }
    const marks = values.map((v) => v.toLowerCase().includes(needle))
    if (!marks.some(Boolean)) {
      continue
    }
    for (let row = 0; row < n; row++) {
      if (marks[codes[row]!]) {
        mask[row] = 1
      }
    }
  }
  for (const [tag, rows] of index.tags) {
    if (tag.toLowerCase().includes(needle)) {
      rows.forEach((row) => (mask[row] = 1))
    }
  }
  return mask
}
