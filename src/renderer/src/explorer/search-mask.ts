/**
 * A bound search (search-columns.ts) evaluated over the index as masks: each term's mask comes
 * from the index (any-column search or one column's "contains"), negated terms are inverted,
 * terms side by side are intersected and alternatives (OR) united, as bitsets (row-bits.ts). Pure.
 */
import { slotStart } from './loaded-chunks'
import { allRows, noRows, type RowBits } from './row-bits'
import type { BoundSearch } from './search-columns'
import { markDenseRows, valueRowsStart, type ValueRows } from './value-rows'

/**
 * The rows a search matches, given each term's rows (never changed here: they may be cached);
 * null for an empty search.
 */
export function evaluateSearch(
  search: BoundSearch,
  n: number,
  termMask: (colId: string | null, text: string) => RowBits
): RowBits | null {
  if (search.length === 0) {
    return null
  }
  const only = search.length === 1 && search[0]!.length === 1 ? search[0]![0]! : null
  if (only && !only.isNegated) {
    // One plain term: its rows are the answer.
    return termMask(only.colId, only.text)
  }
  const result = noRows(n)
  for (const terms of search) {
    const all = allRows(n)
    for (const term of terms) {
      const mask = termMask(term.colId, term.text)
      if (term.isNegated) {
        all.difference(mask)
      } else {
        all.intersection(mask)
      }
    }
    result.union(all)
  }
  return result
}

/** What an any-column search reads of the index. */
export interface SearchableIndex {
  size: number
  /** The values of each chunk that contain the needle: their own codes, ascending. */
  marked: readonly (readonly number[])[]
  /** How many values the pool holds (every chunk's). */
  poolSize: number
  /** The chunks: their own pool codes of the stored text columns and of the flattened fields. */
  chunks: readonly {
    firstRow: number
    count: number
    poolFirst: number
    /** Column-major: slot `slot` at `slotAt[slot] * count` (at `slot * count` without `slotAt`). */
    codes: Uint16Array | Uint32Array
    slotAt: Int8Array | null
    pairStart: Uint32Array
    pairValue: Uint16Array | Uint32Array
  }[]
  /** Slots (in `codes`) of the text columns searched here (those the value rows cover). */
  slots: readonly number[]
  /**
   * The rows that use each value of chunk `c` (value-rows.ts, over `slots` and the fields), or
   * null while the idle worker has not made them: that chunk's rows are then all read.
   */
  rowsOf(c: number): ValueRows | null
  tags: ReadonlyMap<string, ReadonlySet<number>>
}

/**
 * 1 for rows where any field value, value of a column of `slots` or tag contains the (lower-case)
 * needle (the dictionary-coded columns are searched apart: column-store.ts `markCodedRows`).
 * Every value of a row is in its own chunk's pool, so each chunk is read against its own slice of
 * the marks; a chunk with no matching value is skipped. In a chunk whose value rows are made, the
 * rows of each matching value are written and nothing else is read; in the others every row's
 * searched columns and fields are.
 */
export function anyColumnMask(index: SearchableIndex, needle: string): Uint8Array {
  const n = index.size
  const mask = new Uint8Array(n)
  index.chunks.forEach((chunk, c) => {
    const marked = index.marked[c]!
    if (marked.length === 0) {
      return
    }
    const { pairStart, pairValue, firstRow, poolFirst, count, codes } = chunk
    const rows = mask.subarray(firstRow, firstRow + count)
    const made = index.rowsOf(c)
    if (made) {
      const { counts, rows: used } = made
      // The codes ascend: each start is found from the one before when that is nearer.
      let previous = -1
      let previousStart = 0
      for (const code of marked) {
        const at = valueRowsStart(made, code, previous, previousStart)
        const end = at + counts[code]!
        previous = code
        previousStart = at
        if (at === end) {
          // No row listed: a value of none, or a dense one (its rows as bits).
          markDenseRows(made, code, rows)
          continue
        }
        for (let k = at; k < end; k++) {
          rows[used[k]!] = 1
        }
      }
      return
    }
    const end = c + 1 < index.chunks.length ? index.chunks[c + 1]!.poolFirst : index.poolSize
    const marks = new Uint8Array(end - poolFirst)
    for (const code of marked) {
      marks[code] = 1
    }
    // Derived columns (friendly activity, category, user type label…) are not in `fields`.
    for (const slot of index.slots) {
      const start = slotStart(chunk, slot)
      const column = codes.subarray(start, start + count)
      for (let i = 0; i < count; i++) {
        rows[i]! |= marks[column[i]!]!
      }
    }
    for (let i = 0; i < count; i++) {
      if (rows[i] === 1) {
        continue
      }
      for (let p = pairStart[i]!; p < pairStart[i + 1]!; p++) {
        if (marks[pairValue[p]!] === 1) {
          rows[i] = 1
          break
        }
      }
    }
  })
  for (const [tag, rows] of index.tags) {
    if (tag.toLowerCase().includes(needle)) {
      rows.forEach((row) => (mask[row] = 1))
    }
  }
  return mask
}
