/** Look-ups in ascending lists of codes (typed arrays). Pure. */

/** Where `value` is in `sorted` (ascending, distinct), or -1. */
export function indexOfSorted(sorted: ArrayLike<number>, value: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid]! < value) {
      lo = mid + 1
    } else {
      hi = mid
    }
  }
  return lo < sorted.length && sorted[lo] === value ? lo : -1
}
