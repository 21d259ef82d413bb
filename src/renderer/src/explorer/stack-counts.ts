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

/** Counts the rows a mask keeps by one or two ranked columns. */
export function stackByRanks(
  mask: Uint8Array,
  columns: readonly RankedColumn[],
  sort: StackSort,
  limit: number
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
  let total = 0
  // Keys in ascending order are values in ascending order (ranks are value order).
  const keys: number[] = []
  const counts: number[] = []
  if (keyCount <= DENSE_KEYS) {
    const dense = new Uint32Array(keyCount)
    for (let row = 0; row < mask.length; row++) {
      if (mask[row] !== 1) {
        continue
      }
      let a = r1[row]!
      if (a === empty1) a = 0
      let key = a
      if (r2) {
        let b = r2[row]!
        if (b === empty2) b = 0
        key = a * width + b
      }
      dense[key]!++
      total++
    }
    for (let key = 0; key < keyCount; key++) {
      if (dense[key]! > 0) {
        keys.push(key)
        counts.push(dense[key]!)
      }
    }
  } else {
    const sparse = new Map<number, number>()
    for (let row = 0; row < mask.length; row++) {
      if (mask[row] !== 1) {
        continue
      }
      let a = r1[row]!
      if (a === empty1) a = 0
      let b = r2![row]!
      if (b === empty2) b = 0
      const key = a * width + b
      sparse.set(key, (sparse.get(key) ?? 0) + 1)
      total++
    }
    for (const key of [...sparse.keys()].sort((x, y) => x - y)) {
      keys.push(key)
      counts.push(sparse.get(key)!)
    }
  }
  const distinct = keys.length
  let order: number[]
  if (sort === 'value-asc' || sort === 'value-desc') {
    const n = Math.min(limit, distinct)
    order = Array.from({ length: n }, (_, i) => (sort === 'value-asc' ? i : distinct - 1 - i))
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
    const sorted = new Uint32Array(distinct)
    for (let i = 0; i < distinct; i++) {
      const c = counts[i]!
      sorted[buckets[sort === 'count-desc' ? max - c : c]!++] = i
    }
    order = Array.from(sorted.subarray(0, Math.min(limit, distinct)))
  }
  const label = (column: RankedColumn, rank: number): string =>
    rank === 0 ? EMPTY_VALUE : column.value(rank)
  const entries = order.map((i) => {
    const key = keys[i]!
    const values = second
      ? [label(first, Math.floor(key / width)), label(second, key % width)]
      : [label(first, key)]
    return { values, count: counts[i]!, share: total === 0 ? 0 : counts[i]! / total }
  })
  return { total, distinct, entries, isTruncated: distinct > limit }
}
