/**
 * Stable sort of rows by a coded text column: values ranked once (natural order for human-sized
 * lists, code-unit order for huge ones), then a counting sort of the rows by rank. Pure.
 */

/** Code of a row without a value (a flattened field the record lacks). */
export const MISSING = 0xffffffff

/** A column as codes, for filters and sorting. */
export interface CodedColumn {
  codes: Uint32Array
  /** Number of codes. */
  size: number
  value: (code: number) => string
  /** True when every code is a distinct value (an own dictionary). */
  isUnique: boolean
}

/** Row indices 0…n-1 sorted ascending by the column (ties keep row order): O(n + d log d). */
export function sortPermutation(column: CodedColumn, n: number): Uint32Array {
  // Group the codes in use by their text (pool codes may repeat a value; own dictionaries do
  // not), in order of first appearance, then rank the groups by text and counting-sort the rows
  // by rank: O(n + d log d).
  const group = new Int32Array(column.size + 1).fill(-1)
  const groupValues: string[] = []
  const byValue = column.isUnique ? null : new Map<string, number>()
  for (let row = 0; row < n; row++) {
    const code = column.codes[row]!
    const slot = code === MISSING ? column.size : code
    if (group[slot] !== -1 || code === MISSING) {
      continue
    }
    const value = column.value(code)
    let g = byValue?.get(value)
    if (g === undefined) {
      g = groupValues.length
      groupValues.push(value)
      byValue?.set(value, g)
    }
    group[slot] = g
  }
  const distinct = groupValues.map((_, g) => g)
  // Natural order for human-sized value lists; plain code-unit order (much faster) for huge
  // ones such as ids or IP addresses.
  const values = groupValues
  if (distinct.length <= 50_000) {
    const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })
    distinct.sort((a, b) => collator.compare(values[a]!, values[b]!))
  } else {
    distinct.sort((a, b) => (values[a]! < values[b]! ? -1 : values[a]! > values[b]! ? 1 : 0))
  }
  const groupRank = new Uint32Array(distinct.length)
  // Missing values sort first, like empty text.
  distinct.forEach((g, i) => (groupRank[g] = i + 1))
  const rank = new Uint32Array(column.size + 1)
  for (let code = 0; code < column.size; code++) {
    if (group[code]! >= 0) {
      rank[code] = groupRank[group[code]!]!
    }
  }
  const buckets = new Uint32Array(distinct.length + 2)
  for (let row = 0; row < n; row++) {
    const code = column.codes[row]!
    buckets[(code === MISSING ? 0 : rank[code]!) + 1]!++
  }
  for (let i = 1; i < buckets.length; i++) {
    buckets[i]! += buckets[i - 1]!
  }
  const perm = new Uint32Array(n)
  for (let row = 0; row < n; row++) {
    const code = column.codes[row]!
    perm[buckets[code === MISSING ? 0 : rank[code]!]!++] = row
  }
  return perm
}
