/**
 * The rows of the index in time order, kept current as chunks are appended. Pure.
 */

/**
 * Merges rows first…size-1 (sorted by time) into `old`, the rows before them in time order:
 * O(n). On equal times the older row (smaller index) comes first, as in a stable sort.
 */
export function mergeTimeOrder(
  times: Float64Array,
  old: Uint32Array,
  first: number,
  size: number
): Uint32Array {
  const added = sortedByTime(times, first, size)
  const merged = new Uint32Array(old.length + added.length)
  let i = 0
  let j = 0
  let k = 0
  while (i < old.length && j < added.length) {
    if (times[old[i]!]! <= times[added[j]!]!) {
      merged[k++] = old[i++]!
    } else {
      merged[k++] = added[j++]!
    }
  }
  while (i < old.length) {
    merged[k++] = old[i++]!
  }
  while (j < added.length) {
    merged[k++] = added[j++]!
  }
  return merged
}

/** Bits of a radix sort pass (2,048 buckets: the counts stay in the fastest cache). */
const RADIX_BITS = 11
const RADIX = 1 << RADIX_BITS
const TWO_32 = 2 ** 32

/**
 * Rows first…end-1 in time order, ties by row, without a comparator call per row: a least
 * significant digit radix sort of each time's offset from the earliest, 11 bits a pass (three
 * passes for 90 days of millisecond times, up to five for any span a double holds exactly). Each
 * pass is stable and rows enter in row order, so equal times keep it. Times that are not whole
 * milliseconds, or whose span a double cannot hold exactly, take a comparator sort instead. (It
 * replaced a native sort of times packed with their rows, runs merged: 1.5 s of a 5M opening.)
 */
export function sortedByTime(times: Float64Array, first: number, end: number): Uint32Array {
  const n = Math.max(0, end - first)
  let min = Infinity
  let max = -Infinity
  let isWhole = true
  for (let i = first; i < end; i++) {
    const t = times[i]!
    if (!Number.isInteger(t)) {
      isWhole = false
      break
    }
    if (t < min) min = t
    if (t > max) max = t
  }
  const sorted = new Uint32Array(n)
  for (let i = 0; i < n; i++) {
    sorted[i] = first + i
  }
  if (!isWhole || max - min > Number.MAX_SAFE_INTEGER) {
    return sorted.sort((a, b) => times[a]! - times[b]! || a - b)
  }
  const span = max - min
  if (n < 2 || span === 0) {
    return sorted
  }
  // Each time's offset as two 32-bit halves, carried along with the rows pass after pass (the
  // passes then read them in order instead of looking each row's time up).
  let low = new Uint32Array(n)
  let high = span >= TWO_32 ? new Uint32Array(n) : null
  for (let i = 0; i < n; i++) {
    const offset = times[first + i]! - min
    low[i] = offset >>> 0
    if (high) {
      high[i] = Math.floor(offset / TWO_32)
    }
  }
  let rows = sorted
  let nextRows = new Uint32Array(n)
  let nextLow = new Uint32Array(n)
  let nextHigh = high ? new Uint32Array(n) : null
  const counts = new Uint32Array(RADIX)
  const lowBits = span >= TWO_32 ? 32 : 32 - Math.clz32(span)
  const highBits = span >= TWO_32 ? 32 - Math.clz32(Math.floor(span / TWO_32)) : 0
  const passes: [isHigh: boolean, shift: number][] = []
  for (let shift = 0; shift < lowBits; shift += RADIX_BITS) passes.push([false, shift])
  for (let shift = 0; shift < highBits; shift += RADIX_BITS) passes.push([true, shift])
  for (const [isHigh, shift] of passes) {
    const keys = isHigh ? high! : low
    counts.fill(0)
    for (let i = 0; i < n; i++) {
      counts[(keys[i]! >>> shift) & (RADIX - 1)]!++
    }
    let at = 0
    for (let d = 0; d < RADIX; d++) {
      const count = counts[d]!
      counts[d] = at
      at += count
    }
    for (let i = 0; i < n; i++) {
      const to = counts[(keys[i]! >>> shift) & (RADIX - 1)]!++
      nextRows[to] = rows[i]!
      nextLow[to] = low[i]!
      if (high) {
        nextHigh![to] = high[i]!
      }
    }
    ;[rows, nextRows] = [nextRows, rows]
    ;[low, nextLow] = [nextLow, low]
    if (high) {
      ;[high, nextHigh] = [nextHigh!, high]
    }
  }
  return rows
}
