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
  const added = new Uint32Array(size - first)
  for (let i = 0; i < added.length; i++) {
    added[i] = first + i
  }
  added.sort((a, b) => times[a]! - times[b]! || a - b)
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
