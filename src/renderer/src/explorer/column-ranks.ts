/**
 * Ranks of a coded column: each row's value as its position in the column's sorted distinct
 * values, so equal values share a rank and rank order is value order. What multi-column sorts and
 * stacking count and order by, in linear passes over typed arrays. Pure.
 */
import { freeNow } from '../../../shared/free-now'

import { MISSING, type CodedColumn } from './column-sort'
import { packedEqual, packSlices, sortPackedTexts, type PackedTexts } from './text-sort'

/** Ranks per row, in as few bytes as the highest rank allows ({@link rankArray}). */
export type RankArray = Uint8Array | Uint16Array | Uint32Array

/**
 * Room for `n` ranks up to `levels`: a byte a row for a column of at most 255 values (an
 * activity, a status), two up to 65,535 (users, connectors). Ranks are kept for every core
 * column stacked or sorted by: at five million records, four bytes a row for each of the nine
 * the benchmark stacks by would be 180 MB.
 */
export function rankArray(levels: number, n: number): RankArray {
  return levels <= 0xff
    ? new Uint8Array(n)
    : levels <= 0xffff
      ? new Uint16Array(n)
      : new Uint32Array(n)
}

/** A column as ranks: rank 0 is a row without a value; ranks 1…levels are distinct values. */
export interface RankedColumn {
  /** Per row. */
  ranks: RankArray
  /** Highest rank in use. */
  levels: number
  /** The text of a rank ('' for rank 0). */
  value(rank: number): string
}

/** Up to this many distinct values sort in natural order; more, by code unit. */
const COLLATED_LEVELS = 50_000

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })

/** Ranks of distinct values sorted as the grid sorts text (natural order, code units when huge). */
function rankValues(values: readonly string[]): Uint32Array {
  const order = values.map((_, g) => g)
  if (order.length <= COLLATED_LEVELS) {
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
  return column.isUnique ? dictionaryRanks(column, n) : groupedRanks(column, n)
}

/**
 * Ranks of a column whose codes may repeat a value (pool codes: one value per chunk it appears
 * in): the codes in use are sorted by their text, packed end to end (text-sort.ts), so equal
 * values fall side by side and become one rank — no string is made or hashed per code. The codes
 * in use are found as bits, a bit per code of the pool (not four bytes: at five million records
 * the pool holds ~30M values, and an array of its size would be 120 MB made for one sort).
 */
function groupedRanks(column: CodedColumn, n: number): RankedColumn {
  const { codes, size } = column
  const words = (size + 31) >>> 5
  const inUse = new Uint32Array(words)
  for (let row = 0; row < n; row++) {
    const code = codes[row]!
    if (code !== MISSING) {
      inUse[code >>> 5]! |= 1 << (code & 31)
    }
  }
  // before[w]: the codes in use below word w, so a code's place among them is
  // before[w] + the bits below it in its word.
  const before = new Uint32Array(words + 1)
  for (let w = 0; w < words; w++) {
    before[w + 1] = before[w]! + bitCount(inUse[w]!)
  }
  const used = before[words]!
  const usedCodes = new Uint32Array(used)
  for (let w = 0, k = 0; w < words; w++) {
    for (let word = inUse[w]!; word !== 0; word &= word - 1) {
      usedCodes[k++] = (w << 5) | (31 - Math.clz32(word & -word))
    }
  }
  const packed = packCodes(column, usedCodes)
  const order = sortPackedTexts(packed)
  // Groups of equal texts in code-unit order; reps[g] is a code of group g.
  const groupOf = new Uint32Array(used)
  const reps: number[] = []
  for (let k = 0; k < used; k++) {
    const i = order[k]!
    if (k === 0 || !packedEqual(packed, order[k - 1]!, i)) {
      reps.push(usedCodes[i]!)
    }
    groupOf[i] = reps.length - 1
  }
  const levels = reps.length
  let value: (rank: number) => string
  let groupRank: Uint32Array
  if (levels <= COLLATED_LEVELS) {
    // Few enough to sort as the grid sorts text (natural order).
    const values = reps.map((code) => column.value(code))
    groupRank = rankValues(values)
    const byRank: string[] = ['']
    values.forEach((text, g) => (byRank[groupRank[g]!] = text))
    value = (rank) => byRank[rank] ?? ''
  } else {
    // Code-unit order, already sorted: rank g + 1; texts are read when asked for.
    groupRank = new Uint32Array(levels)
    for (let g = 0; g < levels; g++) {
      groupRank[g] = g + 1
    }
    value = (rank) => (rank >= 1 && rank <= levels ? column.value(reps[rank - 1]!) : '')
  }
  // By place among the codes in use: its rank.
  const rankAt = groupOf
  for (let i = 0; i < used; i++) {
    rankAt[i] = groupRank[groupOf[i]!]!
  }
  const ranks = rankArray(levels, n)
  for (let row = 0; row < n; row++) {
    const code = codes[row]!
    if (code !== MISSING) {
      const w = code >>> 5
      ranks[row] = rankAt[before[w]! + bitCount(inUse[w]! & ((1 << (code & 31)) - 1))]!
    }
  }
  // The working arrays (the packed texts alone ~115 MB for an address column at 5M): given back
  // now, not left for the next collection. None is held past here: `value` reads `reps`.
  freeNow(inUse, before, usedCodes, packed.units, packed.starts, order, groupOf, groupRank)
  return { ranks, levels, value }
}

/** The number of bits set in a 32-bit word. */
function bitCount(word: number): number {
  let v = word - ((word >>> 1) & 0x55555555)
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333)
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff
}

/** The texts of `usedCodes` (ascending) packed end to end, read from the pool when there is one. */
function packCodes(column: CodedColumn, usedCodes: Uint32Array): PackedTexts {
  const count = usedCodes.length
  const source = new Uint32Array(count)
  const from = new Uint32Array(count)
  const to = new Uint32Array(count)
  const pool = column.pool
  if (!pool) {
    const texts = Array.from(usedCodes, (code) => column.value(code))
    for (let i = 0; i < count; i++) {
      source[i] = i
      to[i] = texts[i]!.length
    }
    const packed = packSlices(texts, source, from, to)
    freeNow(source, from, to)
    return packed
  }
  const chunks = pool.chunks
  const texts = chunks.flatMap((chunk) => [chunk.text, chunk.wide])
  let c = 0
  for (let i = 0; i < count; i++) {
    const code = usedCodes[i]!
    while (c + 1 < chunks.length && chunks[c + 1]!.first <= code) {
      c++
    }
    const { starts, first, text } = chunks[c]!
    const local = code - first
    // Each value ends with the pool's separator.
    if (starts[local + 1]! - 1 === starts[local]!) {
      // Empty in the pool: it may be a text the pool does not keep (a covered JSON text,
      // json-cover.ts); the column reads it whole.
      const value = pool.flatValue(code)
      source[i] = texts.length
      from[i] = 0
      to[i] = value.length
      texts.push(value)
      continue
    }
    // Texts 2c and 2c + 1: chunk c's one-byte text and its wide one.
    const base = starts[local]! < text.length ? 0 : text.length
    source[i] = 2 * c + (base === 0 ? 0 : 1)
    from[i] = starts[local]! - base
    to[i] = starts[local + 1]! - 1 - base
  }
  const packed = packSlices(texts, source, from, to)
  freeNow(source, from, to)
  return packed
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
  const ranks = rankArray(values.length, n)
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
  const ranks = rankArray(values.length, n)
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

/**
 * Rows 0…n-1 in rank order, ties by row: {@link orderByKeys} of every row by one ascending key,
 * without an array of the rows to start from (4 bytes a row of garbage per sort).
 */
export function rowsByRank(column: RankedColumn, n: number): Uint32Array {
  const { ranks, levels } = column
  const next = new Uint32Array(levels + 2)
  for (let row = 0; row < n; row++) {
    next[ranks[row]! + 1]!++
  }
  for (let r = 1; r < next.length; r++) {
    next[r]! += next[r - 1]!
  }
  const rows = new Uint32Array(n)
  for (let row = 0; row < n; row++) {
    rows[next[ranks[row]!]!++] = row
  }
  return rows
}

/** One key of a multi-column sort. */
export interface SortKey {
  column: RankedColumn
  isDescending: boolean
}

/**
 * Orders `rows` by several keys, the first deciding: one stable counting sort per key, last key
 * first (least significant digit first), O(keys × (rows + levels)). Ties keep the input order.
 * `rows` is only read: with at least one key the answer is a new array (with none, `rows`).
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
    // The next key writes into the array this one read (a new one if that was `rows`); no
    // spare array after the last key.
    if (k > 0) {
      next = current === rows ? new Uint32Array(rows.length) : current
    }
    current = done
  }
  return current
}
