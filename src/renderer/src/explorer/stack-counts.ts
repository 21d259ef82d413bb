/**
 * Stacking over the columnar index: counts of the rows a mask keeps by one or two ranked columns,
 * in linear passes (no per-row objects, no string hashing), ordered by count or value with a
 * counting sort, so a stack of a million rows answers within the filter budget. Pure.
 */
import { EMPTY_VALUE, type StackSort } from '../../../shared/explorer'

import type { RankedColumn } from './column-ranks'
import type { StackAnswer } from './query-types'

/** Dense counting up to this many (pair) keys; a Map above it. */
const DENSE_KEYS = 1 << 22

/** Rank 0 and the rank of '' both count as the empty value. */
function emptyOf(column: RankedColumn): number {
  return column.levels > 0 && column.value(1) === '' ? 1 : 0
}

/** Which part of a stack to send: entries from `offset` on, only those whose values contain `find`. */
export interface StackWindow {
  /** Entries to skip, in the order asked for (paging through a long stack). */
  offset?: number
  /** Keep only entries with a value containing this text (any case); '' keeps all. */
  find?: string
}

/**
 * Counts `rows` (those a filter keeps) by one or two ranked columns; sends at most `limit`
 * entries of those `window` picks, and says how many there are in all, so nothing is hidden
 * unsaid.
 */
export function stackByRanks(
  rows: Uint32Array,
  columns: readonly RankedColumn[],
  sort: StackSort,
  limit: number,
  window: StackWindow = {}
): StackAnswer {
  if (columns.length < 1 || columns.length > 2) {
    throw new RangeError('a stack counts by one or two columns')
  }
  const first = columns[0]!
  const second = columns[1]
  const empty1 = emptyOf(first)
  const empty2 = second ? emptyOf(second) : 0
  const width = second ? second.levels + 1 : 1
  const keyCount = (first.levels + 1) * width
  const r1 = first.ranks
  const r2 = second?.ranks
  const total = rows.length
  // Keys in ascending order are values in ascending order (ranks are value order). Typed
  // arrays: a high-cardinality column has hundreds of thousands of keys.
  // (Two columns' keys can pass 2^32: kept as doubles.)
  let keys: Float64Array
  let counts: Uint32Array
  if (keyCount <= DENSE_KEYS) {
    const dense = new Uint32Array(keyCount)
    if (r2) {
      for (let k = 0; k < rows.length; k++) {
        const row = rows[k]!
        let a = r1[row]!
        if (a === empty1) a = 0
        let b = r2[row]!
        if (b === empty2) b = 0
        dense[a * width + b]!++
      }
    } else {
      for (let k = 0; k < rows.length; k++) {
        const a = r1[rows[k]!]!
        dense[a === empty1 ? 0 : a]!++
      }
    }
    let used = 0
    for (let key = 0; key < keyCount; key++) {
      if (dense[key]! > 0) {
        used++
      }
    }
    keys = new Float64Array(used)
    counts = new Uint32Array(used)
    let k = 0
    for (let key = 0; key < keyCount; key++) {
      if (dense[key]! > 0) {
        keys[k] = key
        counts[k++] = dense[key]!
      }
    }
  } else {
    const sparse = new Map<number, number>()
    for (let k = 0; k < rows.length; k++) {
      const row = rows[k]!
      let a = r1[row]!
      if (a === empty1) a = 0
      let b = r2![row]!
      if (b === empty2) b = 0
      const key = a * width + b
      sparse.set(key, (sparse.get(key) ?? 0) + 1)
    }
    keys = Float64Array.from(sparse.keys()).sort()
    counts = Uint32Array.from(keys, (key) => sparse.get(key)!)
  }
  const distinct = keys.length
  const label = (column: RankedColumn, rank: number): string =>
    rank === 0 ? EMPTY_VALUE : column.value(rank)
  const valuesOf = (key: number): string[] =>
    second
      ? [label(first, Math.floor(key / width)), label(second, key % width)]
      : [label(first, key)]
  const find = (window.find ?? '').trim().toLocaleLowerCase()
  if (find !== '') {
    let kept = 0
    for (let i = 0; i < keys.length; i++) {
      if (valuesOf(keys[i]!).some((v) => v.toLocaleLowerCase().includes(find))) {
        keys[kept] = keys[i]!
        counts[kept] = counts[i]!
        kept++
      }
    }
    keys = keys.subarray(0, kept)
    counts = counts.subarray(0, kept)
  }
  const matching = keys.length
  const offset = Math.max(0, Math.min(window.offset ?? 0, matching))
  const end = Math.min(matching, offset + limit)
  let order: number[]
  if (sort === 'value-asc' || sort === 'value-desc') {
    order = Array.from({ length: end - offset }, (_, i) =>
      sort === 'value-asc' ? offset + i : matching - 1 - offset - i
    )
  } else {
    // Counting sort by count; ties stay in value order.
    let max = 0
    for (const c of counts) {
      if (c > max) max = c
    }
    const buckets = new Uint32Array(max + 2)
    for (const c of counts) {
      buckets[(sort === 'count-desc' ? max - c : c) + 1]!++
    }
    for (let b = 1; b < buckets.length; b++) {
      buckets[b]! += buckets[b - 1]!
    }
    const sorted = new Uint32Array(matching)
    for (let i = 0; i < matching; i++) {
      const c = counts[i]!
      sorted[buckets[sort === 'count-desc' ? max - c : c]!++] = i
    }
    order = Array.from(sorted.subarray(offset, end))
  }
  const entries = order.map((i) => ({
    values: valuesOf(keys[i]!),
    count: counts[i]!,
    share: total === 0 ? 0 : counts[i]! / total
  }))
  return { total, distinct, matching, offset, entries, isTruncated: matching > entries.length }
}
