/**
 * Which rows of a chunk use each value of its pool, so the quick search writes the rows of the
 * values it found instead of reading every row's columns and flattened fields: per local pool
 * code, the ascending rows (within the chunk) that hold it in a searched text column or a
 * flattened field, each row once. Made for every chunk while the worker is idle. Pure.
 *
 * The searched columns coded against their own dictionaries (users, activities…: a value in
 * nearly every row of each) are left out, and so are their values in the same row's fields
 * (Purview repeats the user, the operation… there): searched through those dictionaries
 * instead, they would take half of these rows (23 MB at a million records).
 */
import { indexOfSorted } from './sorted-codes'
import { scratchInt32, scratchUint32 } from './scratch'

/** The chunk's layout the rows are read from (a loaded chunk satisfies it). */
export interface ValueRowsSource {
  count: number
  /** Column-major: `codes[slot * count + i]`. */
  codes: Uint16Array | Uint32Array
  pairStart: Uint32Array
  pairValue: Uint16Array | Uint32Array
}

export interface ValueRows {
  /**
   * How many rows use each value (16-bit: a chunk has at most 4,096 rows). Value `code`'s rows
   * follow those of the values before it: a reader going through the codes in order keeps the
   * running sum (a start per value would cost twice the bytes).
   */
  counts: Uint16Array | Uint32Array
  rows: Uint16Array | Uint32Array
  /**
   * Where the rows of every {@link VALUE_ROWS_STEP}-th value start: a reader that wants a few
   * values' rows adds at most that many counts to one of these instead of every count before.
   */
  steps: Uint32Array
  /**
   * The values used by so many rows that a bit a row takes fewer bytes than a list of them
   * (more than 258 rows of 4,096: at a million records nearly half the entries were such
   * values'): their codes, ascending. Their `counts` are 0 (none of their rows is in `rows`).
   */
  denseCodes: Uint32Array
  /** Per dense value, {@link denseWords} words: a bit per row of the chunk. */
  denseBits: Uint32Array
}

/** Words of a dense value's bits in a chunk of `count` rows. */
export function denseWords(count: number): number {
  return (count + 31) >>> 5
}

/**
 * Sets 1 in `mask` (a byte per row of the chunk) for each row of value `code` if it is a dense
 * value; false when it is not.
 */
export function markDenseRows(valueRows: ValueRows, code: number, mask: Uint8Array): boolean {
  const { denseCodes, denseBits } = valueRows
  const d = indexOfSorted(denseCodes, code)
  if (d < 0) {
    return false
  }
  const words = denseWords(mask.length)
  for (let w = 0, at = d * words; w < words; w++, at++) {
    let word = denseBits[at]!
    while (word !== 0) {
      const bit = word & -word
      word ^= bit
      mask[(w << 5) + 31 - Math.clz32(bit)] = 1
    }
  }
  return true
}

/** A start is kept for every this many values (4 bytes per 64 values: 1/32 of the counts). */
export const VALUE_ROWS_STEP = 64
const STEP_SHIFT = 6

/**
 * Where value `code`'s rows start in `rows`: from the nearest step, or from `near` (a value before
 * `code` whose rows start at `nearStart`) when it is closer — a reader going up through a few
 * values in order adds only the counts between them.
 */
export function valueRowsStart(
  valueRows: ValueRows,
  code: number,
  near = -1,
  nearStart = 0
): number {
  const { counts, steps } = valueRows
  const step = code & ~(VALUE_ROWS_STEP - 1)
  let from = step
  let at = steps[code >>> STEP_SHIFT]!
  if (near >= step && near <= code) {
    from = near
    at = nearStart
  }
  for (let k = from; k < code; k++) {
    at += counts[k]!
  }
  return at
}

/**
 * The rows of every code of a chunk's pool (`poolSize` values) over `slots` and the fields, but
 * for a value a row also holds in one of `foundApart` (slots whose rows the search finds another
 * way: a field holding the row's user, its operation…).
 */
export function valueRows(
  chunk: ValueRowsSource,
  poolSize: number,
  slots: readonly number[],
  foundApart: readonly number[] = []
): ValueRows {
  const { count, codes, pairStart, pairValue } = chunk
  // One pass over every use keeps each row's distinct values (`uses`, row after row: row i's
  // end at `ends[i]`) and counts each value's rows; a second places the rows. `seen[code]` is
  // the last row (plus one) that used a code, so a row that uses a value in several places
  // holds it once; a value of `foundApart` is marked so before the row's uses are read.
  const seen = scratchInt32('value-rows.seen', poolSize, 0)
  const counts = count <= 0xffff ? new Uint16Array(poolSize) : new Uint32Array(poolSize)
  const columns = slots.map((slot) => codes.subarray(slot * count, (slot + 1) * count))
  const apart = foundApart.map((slot) => codes.subarray(slot * count, (slot + 1) * count))
  let uses = scratchUint32('value-rows.uses', count * slots.length + pairValue.length)
  const ends = scratchUint32('value-rows.ends', count)
  let used = 0
  for (let i = 0; i < count; i++) {
    const stamp = i + 1
    for (let j = 0; j < apart.length; j++) {
      seen[apart[j]![i]!] = stamp
    }
    for (let j = 0; j < columns.length; j++) {
      const code = columns[j]![i]!
      if (seen[code] !== stamp) {
        seen[code] = stamp
        counts[code]!++
        uses[used++] = code
      }
    }
    for (let p = pairStart[i]!; p < pairStart[i + 1]!; p++) {
      const code = pairValue[p]!
      if (seen[code] !== stamp) {
        seen[code] = stamp
        counts[code]!++
        uses[used++] = code
      }
    }
    ends[i] = used
  }
  uses = uses.subarray(0, used)
  // The dense values: their rows as bits (a value's bytes: a code and its words, against two a row).
  const words = denseWords(count)
  const denseAt = scratchInt32('value-rows.denseAt', poolSize, -1)
  let dense = 0
  let listed = used
  for (let code = 0; code < poolSize; code++) {
    const n = counts[code]!
    if (n * 2 > words * 4 + 4) {
      denseAt[code] = dense++
      listed -= n
      counts[code] = 0
    }
  }
  const denseCodes = new Uint32Array(dense)
  for (let code = 0; code < poolSize; code++) {
    if (denseAt[code]! >= 0) {
      denseCodes[denseAt[code]!] = code
    }
  }
  const denseBits = new Uint32Array(dense * words)
  // Where each value's rows go (moved on as they are placed).
  const next = scratchUint32('value-rows.next', poolSize)
  const steps = new Uint32Array((poolSize >>> STEP_SHIFT) + 1)
  let at = 0
  for (let code = 0; code < poolSize; code++) {
    if ((code & (VALUE_ROWS_STEP - 1)) === 0) {
      steps[code >>> STEP_SHIFT] = at
    }
    next[code] = at
    at += counts[code]!
  }
  const rows = count <= 0x10000 ? new Uint16Array(listed) : new Uint32Array(listed)
  for (let i = 0, k = 0; i < count; i++) {
    const bit = 1 << (i & 31)
    const word = i >>> 5
    for (const end = ends[i]!; k < end; k++) {
      const code = uses[k]!
      const d = denseAt[code]!
      if (d < 0) {
        rows[next[code]!++] = i
      } else {
        denseBits[d * words + word]! |= bit
      }
    }
  }
  return { counts, rows, steps, denseCodes, denseBits }
}

/** Bytes held by a chunk's value rows. */
export function valueRowsBytes(rows: ValueRows): number {
  return (
    rows.counts.byteLength +
    rows.rows.byteLength +
    rows.steps.byteLength +
    rows.denseCodes.byteLength +
    rows.denseBits.byteLength
  )
}
