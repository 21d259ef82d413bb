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

/**
 * Rows first…end-1 in time order, ties by row, without a comparator call per row: each time is
 * packed with its row into one exact double ((time - min) × R + row, R a power of two with
 * span × R ≤ 2^53) and sorted natively — one sort when R covers every row (90 days of
 * millisecond times leave room for a million rows), else runs of R rows merged bottom-up. Times
 * that are not whole milliseconds take a comparator sort instead.
 */
export function sortedByTime(times: Float64Array, first: number, end: number): Uint32Array {
  const n = Math.max(0, end - first)
  let min = Infinity
  let max = -Infinity
  let isPackable = true
  for (let i = first; i < end; i++) {
    const t = times[i]!
    if (!Number.isInteger(t)) {
      isPackable = false
      break
    }
    if (t < min) min = t
    if (t > max) max = t
  }
  let sorted = new Uint32Array(n)
  let run = 1
  while (isPackable && run < n && (max - min + 1) * run * 2 <= Number.MAX_SAFE_INTEGER) {
    run *= 2
  }
  if (!isPackable || (run < n && run < 256)) {
    for (let i = 0; i < n; i++) {
      sorted[i] = first + i
    }
    return sorted.sort((a, b) => times[a]! - times[b]! || a - b)
  }
  const keys = new Float64Array(Math.min(run, n))
  for (let r = 0; r < n; r += run) {
    const len = Math.min(run, n - r)
    const part = keys.subarray(0, len)
    for (let i = 0; i < len; i++) {
      part[i] = (times[first + r + i]! - min) * run + i
    }
    part.sort()
    for (let i = 0; i < len; i++) {
      sorted[r + i] = first + r + (part[i]! % run)
    }
  }
  // Each run covers lower rows than the next, so taking the left one on equal times keeps ties
  // in row order.
  let spare = new Uint32Array(n)
  for (let width = run; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n)
      const hi = Math.min(lo + 2 * width, n)
      let i = lo
      let j = mid
      let k = lo
      while (i < mid && j < hi) {
        spare[k++] = times[sorted[j]!]! < times[sorted[i]!]! ? sorted[j++]! : sorted[i++]!
      }
      while (i < mid) spare[k++] = sorted[i++]!
      while (j < hi) spare[k++] = sorted[j++]!
    }
    const done = spare
    spare = sorted
    sorted = done
  }
  return sorted
}
