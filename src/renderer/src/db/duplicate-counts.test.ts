import { describe, expect, it } from 'vitest'

import { addRepeats, chunkOfRow, chunkSize, repeatsByChunk } from './duplicate-counts'

const layout = { firstRows: [0, 4096, 8192], rows: 8200 }

describe('per-chunk duplicate counts', () => {
  it('places rows in their chunk, at both edges of every chunk', () => {
    expect([0, 4095, 4096, 8191, 8192, 8199].map((r) => chunkOfRow(layout.firstRows, r))).toEqual([
      0, 0, 1, 1, 2, 2
    ])
    expect([0, 1, 2].map((n) => chunkSize(layout, n))).toEqual([4096, 4096, 8])
  })

  it('groups repeats by chunk with indexes within the chunk', () => {
    const grouped = repeatsByChunk(
      new Map([
        [4095, 1],
        [4096, 2],
        [8199, 3]
      ]),
      layout
    )
    expect([...grouped.entries()]).toEqual([
      [0, [[4095, 1]]],
      [1, [[0, 2]]],
      [2, [[7, 3]]]
    ])
  })

  it('adds to the stored counts without touching other rows', () => {
    const stored = new Uint32Array(8)
    stored[7] = 5
    stored[1] = 1
    const grouped = repeatsByChunk(
      new Map([
        [8199, 2],
        [8192, 1]
      ]),
      layout
    )
    const { rows, added } = addRepeats(grouped, layout, new Map([[2, { n: 2, counts: stored }]]))
    expect(added).toBe(3)
    expect(rows).toHaveLength(1)
    expect([...rows[0]!.counts]).toEqual([1, 1, 0, 0, 0, 0, 0, 7])
    // The stored row is not modified in place (a failed transaction must leave it as it was).
    expect(stored[7]).toBe(5)
  })

  it('refuses a row outside the cache', () => {
    expect(() => repeatsByChunk(new Map([[8200, 1]]), layout)).toThrow(/outside the cache/)
  })
})
