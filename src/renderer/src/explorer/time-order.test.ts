import { describe, expect, it } from 'vitest'

import { mergeTimeOrder, sortedByTime } from './time-order'

/** The order a stable comparator sort gives: by time, ties by row. */
function reference(times: Float64Array, first: number, end: number): number[] {
  return Array.from({ length: end - first }, (_, i) => first + i).sort(
    (a, b) => times[a]! - times[b]! || a - b
  )
}

let state = 7
function rand(n: number): number {
  state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff
  return state % n
}

describe('time order', () => {
  it('sorts rows by time with ties in row order, in one packed sort or in merged runs', () => {
    const times = Float64Array.from({ length: 9000 }, () => Date.UTC(2026, 0, 1) + rand(500) * 1000)
    // About 300 years apart: runs of 512 rows, merged.
    const far = Float64Array.from({ length: 9000 }, (_, i) => (i % 3 === 0 ? -1e13 : 0) + rand(50))
    expect(Array.from(sortedByTime(far, 0, far.length))).toEqual(reference(far, 0, 9000))
    expect(Array.from(sortedByTime(times, 0, times.length))).toEqual(reference(times, 0, 9000))
    expect(Array.from(sortedByTime(times, 1234, 7000))).toEqual(reference(times, 1234, 7000))
  })

  it('sorts spans that need every radix pass, on and around the 32-bit boundary', () => {
    const base = Date.UTC(2026, 8, 1)
    for (const span of [1, 2047, 2048, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 44, 2 ** 53 - 1]) {
      const times = Float64Array.from({ length: 5000 }, (_, i) =>
        i % 7 === 0
          ? base
          : i % 11 === 0
            ? base + span
            : base + Math.floor((rand(1 << 30) / (1 << 30)) * span)
      )
      expect(Array.from(sortedByTime(times, 0, 5000)), String(span)).toEqual(
        reference(times, 0, 5000)
      )
    }
    // Ninety days of milliseconds over many rows, with repeats (a realistic opening).
    const days = Float64Array.from({ length: 60_000 }, () => base + rand(90 * 86_400) * 1000)
    expect(Array.from(sortedByTime(days, 3, 59_990))).toEqual(reference(days, 3, 59_990))
  })

  it('falls back to a comparator for times it cannot pack exactly', () => {
    const fractional = Float64Array.from({ length: 3000 }, () => rand(100) + 0.5)
    expect(Array.from(sortedByTime(fractional, 0, 3000))).toEqual(reference(fractional, 0, 3000))
    const spread = Float64Array.from({ length: 3000 }, (_, i) =>
      i % 2 === 0 ? -8.64e15 + rand(10) : 8.64e15 - rand(10)
    )
    expect(Array.from(sortedByTime(spread, 0, 3000))).toEqual(reference(spread, 0, 3000))
  })

  it('merges new rows into the old order as one stable sort of all rows would', () => {
    const times = Float64Array.from({ length: 6000 }, () => rand(300))
    const old = sortedByTime(times, 0, 2500)
    expect(Array.from(mergeTimeOrder(times, old, 2500, 6000))).toEqual(reference(times, 0, 6000))
  })
})
