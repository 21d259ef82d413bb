/**
 * Ranks of a coded column: each row's value as its position in the column's sorted distinct
 * values, so equal values share a rank and rank order is value order. What multi-column sorts and
 * stacking count and order by, in linear passes over typed arrays. Pure.
 */
import { MISSING, type CodedColumn } from './column-sort'

/** A column as ranks: rank 0 is a row without a value; ranks 1…levels are distinct values. */
export interface RankedColumn {
  /** Per row. */
  ranks: Uint32Array
  /** Highest rank in use. */
  levels: number
  /** The text of a rank ('' for rank 0). */
  value(rank: number): string
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })

/** Ranks of distinct values sorted as the grid sorts text (natural order, code units when huge). */
function rankValues(values: readonly string[]): Uint32Array {
  const order = values.map((_, g) => g)
  if (order.length <= 50_000) {
    order.sort(
      (a, b) =>
        collator.compare(values[a]!, values[b]!) ||
        (values[a]! < values[b]! ? -1 : values[a]! > values[b]! ? 1 : 0)
    )
  } else {
    order.sort((a, b) => (values[a]! < values[b]! ? -1 : values[a]! > values[b]! ? 1 : 0))
  }
  const rank = new Uint32Array(values.length)
  order.forEach((g, i) => (rank[g] = i + 1))
  return rank
}

/** Ranks rows 0…n-1 of a coded column: O(n + d log d) for d distinct values. */
export function columnRanks(column: CodedColumn, n: number): RankedColumn {
  if (column.isUnique) {
    return dictionaryRanks(column, n)
  }
  // Codes in use grouped by their text (pool codes may repeat a value), in first-seen order.
  const group = new Int32Array(column.size).fill(-1)
  const groupValues: string[] = []
  const byValue = column.isUnique ? null : new Map<string, number>()
  for (let row = 0; row < n; row++) {
    const code = column.codes[row]!
    if (code === MISSING || group[code] !== -1) {
      continue
    }
    const value = column.value(code)
    let g = byValue?.get(value)
    if (g === undefined) {
      g = groupValues.length
      groupValues.push(value)
      byValue?.set(value, g)
    }
    group[code] = g
  }
  const groupRank = rankValues(groupValues)
  const byRank: string[] = ['']
  groupValues.forEach((value, g) => (byRank[groupRank[g]!] = value))
  const ranks = new Uint32Array(n)
  for (let row = 0; row < n; row++) {
    const code = column.codes[row]!
    ranks[row] = code === MISSING ? 0 : groupRank[group[code]!]!
  }
  return { ranks, levels: groupValues.length, value: (rank) => byRank[rank] ?? '' }
}

/**
 * Ranks of a column coded against its own dictionary: every code is a distinct value in use, so
 * the ranks come from sorting the dictionary and one pass over the rows — no value is looked up
 * per row.
 */
function dictionaryRanks(column: CodedColumn, n: number): RankedColumn {
  const values = Array.from({ length: column.size }, (_, code) => column.value(code))
  const codeRank = rankValues(values)
  const byRank: string[] = ['']
  values.forEach((value, code) => (byRank[codeRank[code]!] = value))
  const ranks = new Uint32Array(n)
  const codes = column.codes
  for (let row = 0; row < n; row++) {
    const code = codes[row]!
    ranks[row] = code === MISSING ? 0 : codeRank[code]!
  }
  return { ranks, levels: values.length, value: (rank) => byRank[rank] ?? '' }
}

/** Ranks of rows by any text getter (tags): for columns the index does not code. */
export function textRanks(n: number, text: (row: number) => string): RankedColumn {
  const byValue = new Map<string, number>()
  const values: string[] = []
  const group = new Uint32Array(n)
  for (let row = 0; row < n; row++) {
    const value = text(row)
    let g = byValue.get(value)
    if (g === undefined) {
      g = values.length
      values.push(value)
      byValue.set(value, g)
    }
    group[row] = g
  }
  const rank = rankValues(values)
  const byRank: string[] = ['']
  values.forEach((value, g) => (byRank[rank[g]!] = value))
  const ranks = new Uint32Array(n)
  for (let row = 0; row < n; row++) {
    ranks[row] = rank[group[row]!]!
  }
  return { ranks, levels: values.length, value: (r) => byRank[r] ?? '' }
}

/** Ranks of rows by time, from the rows in time order (equal times share a rank). */
export function timeRanks(times: Float64Array, timeOrder: Uint32Array): RankedColumn {
  const ranks = new Uint32Array(timeOrder.length)
  const distinct: number[] = [NaN]
  let last = NaN
  for (let i = 0; i < timeOrder.length; i++) {
    const row = timeOrder[i]!
    const t = times[row]!
    if (t !== last) {
      distinct.push(t)
      last = t
    }
    ranks[row] = distinct.length - 1
  }
  return {
    ranks,
    levels: distinct.length - 1,
    value: (rank) => {
      const t = distinct[rank]
      return t === undefined || Number.isNaN(t) ? '' : new Date(t).toISOString()
    }
  }
}

/** One key of a multi-column sort. */
export interface SortKey {
  column: RankedColumn
  isDescending: boolean
}

/**
 * Orders `rows` by several keys, the first deciding: one stable counting sort per key, last key
 * first (least significant digit first), O(keys × (rows + levels)). Ties keep the input order.
 */
export function orderByKeys(rows: Uint32Array, keys: readonly SortKey[]): Uint32Array {
  let current: Uint32Array = rows
  let next: Uint32Array = new Uint32Array(rows.length)
  for (let k = keys.length - 1; k >= 0; k--) {
    const { column, isDescending } = keys[k]!
    const { ranks, levels } = column
    const buckets = new Uint32Array(levels + 2)
    for (let i = 0; i < current.length; i++) {
      const r = ranks[current[i]!]!
      buckets[(isDescending ? levels - r : r) + 1]!++
    }
    for (let b = 1; b < buckets.length; b++) {
      buckets[b]! += buckets[b - 1]!
    }
    for (let i = 0; i < current.length; i++) {
      const row = current[i]!
      const r = ranks[row]!
      next[buckets[isDescending ? levels - r : r]!++] = row
    }
    const done = next
    next = current === rows ? new Uint32Array(rows.length) : current
    current = done
  }
  return current
}
