import { describe, expect, it } from 'vitest'

import { splitPool } from '../db/record-chunk'

import { columnRanks, orderByKeys, rowsByRank, type RankArray } from './column-ranks'

import { MISSING, type CodedColumn } from './column-sort'

let state = 99
function rand(n: number): number {
  state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff
  return state % n
}

describe('column ranks', () => {
  it('ranks a dictionary column exactly as grouping its rows by value does', () => {
    // Natural order, case and accents: what the grid's text sort compares.
    const values = ['beta', 'Beta', 'alpha', '', 'item 10', 'item 9', 'Élan', 'zeta', '007', '7']
    const codes = Uint32Array.from({ length: 5000 }, () => rand(values.length))
    // Every code in use, as in a dictionary built from the rows.
    values.forEach((_, code) => (codes[code] = code))
    const column: CodedColumn = {
      codes,
      size: values.length,
      value: (code) => values[code]!,
      isUnique: true
    }
    const fast = columnRanks(column, codes.length)
    const grouped = columnRanks({ ...column, isUnique: false }, codes.length)
    expect(Array.from(fast.ranks)).toEqual(Array.from(grouped.ranks))
    expect(fast.levels).toBe(grouped.levels)
    for (let rank = 0; rank <= fast.levels; rank++) {
      expect(fast.value(rank)).toBe(grouped.value(rank))
    }
    expect(fast.value(1)).toBe('')
  })

  it('keeps ranks in as few bytes a row as the column has values for', () => {
    for (const [distinct, kind] of [
      [255, Uint8Array],
      [256, Uint16Array],
      [65_535, Uint16Array],
      [65_536, Uint32Array]
    ] as const) {
      // Every value once (the last rank is the highest), then a few again.
      const codes = Uint32Array.from({ length: distinct + 100 }, (_, row) =>
        row < distinct ? row : rand(distinct)
      )
      const value = (code: number): string => `v${String(code).padStart(6, '0')}`
      for (const isUnique of [true, false]) {
        const ranked = columnRanks({ codes, size: distinct, value, isUnique }, codes.length)
        expect(ranked.ranks).toBeInstanceOf(kind)
        expect(ranked.levels).toBe(distinct)
        // Zero-padded texts: rank order is code order, the highest rank kept whole.
        expect(ranked.ranks[distinct - 1]).toBe(distinct)
        expect(Array.from(ranked.ranks.subarray(distinct), (r) => r - 1)).toEqual(
          Array.from(codes.subarray(distinct))
        )
      }
    }
  })

  it('gives rows without a value rank 0', () => {
    const values = ['b', 'a']
    const codes = Uint32Array.from([1, MISSING, 0, 1])
    const ranked = columnRanks(
      { codes, size: 2, value: (code) => values[code]!, isUnique: true },
      codes.length
    )
    expect(Array.from(ranked.ranks)).toEqual([1, 0, 2, 1])
  })
})

describe('ranks of pool codes', () => {
  /** Grouping by value with a Map, then ordering by code unit: what the ranks must equal. */
  function referenceRanks(codes: Uint32Array, value: (code: number) => string): number[] {
    const distinct = [...new Set(Array.from(codes, (c) => (c === MISSING ? null : value(c))))]
      .filter((v): v is string => v !== null)
      .sort()
    const rankOf = new Map(distinct.map((v, i) => [v, i + 1]))
    return Array.from(codes, (c) => (c === MISSING ? 0 : rankOf.get(value(c))!))
  }

  it('finds the codes in use at the edges of their 32-bit words, in a pool not a multiple of 32', () => {
    // 1,000 pool values, a value repeated under several codes; only some codes are in use,
    // among them the first and last of words (0, 31, 32, 63…) and the pool's last code.
    const poolValues = Array.from({ length: 1000 }, (_, code) => `v${(code * 37) % 300}`)
    const edges = [0, 31, 32, 63, 64, 95, 96, 991, 992, 999]
    const codes = Uint32Array.from({ length: 5000 }, (_, row) =>
      row < edges.length
        ? edges[row]!
        : rand(9) === 0
          ? MISSING
          : rand(2) === 0
            ? edges[rand(edges.length)]!
            : rand(1000)
    )
    const value = (code: number): string => poolValues[code]!
    const ranked = columnRanks(
      { codes, size: poolValues.length, value, isUnique: false },
      codes.length
    )
    // Natural order (few values): `v10` after `v9`.
    const distinct = [...new Set(Array.from(codes, (c) => (c === MISSING ? null : value(c))))]
      .filter((v): v is string => v !== null)
      .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))
    const rankOf = new Map(distinct.map((v, i) => [v, i + 1]))
    expect(Array.from(ranked.ranks)).toEqual(
      Array.from(codes, (c) => (c === MISSING ? 0 : rankOf.get(value(c))!))
    )
    expect(ranked.levels).toBe(distinct.length)
    expect(ranked.value(rankOf.get(value(999))!)).toBe(value(999))
  })

  it('groups a value repeated across chunk pools into one rank, in code-unit order above the natural-order limit', () => {
    // 60,000 distinct addresses (past the natural-order limit), in pools of 5,000 values each,
    // each pool repeating some values of the others, as chunks do.
    // Some hold a character above U+00FF: each pool keeps those in its wide text.
    const addresses = Array.from(
      { length: 60_000 },
      (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}${i % 7 === 0 ? ' ‒ ok' : ''}`
    )
    const chunks: { text: string; wide: string; starts: Uint32Array; first: number }[] = []
    const poolValues: string[] = []
    for (let c = 0; c < 20; c++) {
      // Consecutive pools overlap by 2,000 values; every address is in some pool.
      const values = Array.from(
        { length: 5000 },
        (_, i) => addresses[(c * 3000 + i) % addresses.length]!
      )
      const unique = [...new Set(values)]
      const split = splitPool(unique)
      const ordered = [...unique]
      split.order.forEach((to, from) => (ordered[to] = unique[from]!))
      chunks.push({
        text: split.pool,
        wide: split.widePool,
        starts: split.starts,
        first: poolValues.length
      })
      poolValues.push(...ordered)
    }
    // Every pool code in use once, then at random, some rows without a value.
    const codes = Uint32Array.from({ length: 200_000 }, (_, row) =>
      row < poolValues.length ? row : rand(50) === 0 ? MISSING : rand(poolValues.length)
    )
    const value = (code: number): string => poolValues[code]!
    const ranked = columnRanks(
      {
        codes,
        size: poolValues.length,
        value,
        isUnique: false,
        pool: { chunks, flatValue: value }
      },
      codes.length
    )
    const expected = referenceRanks(codes, value)
    // (Compared row by row: a diff of 200,000 numbers is too slow to print.)
    const firstWrong = (ranks: RankArray): number =>
      expected.findIndex((r, row) => ranks[row] !== r)
    expect(firstWrong(ranked.ranks)).toBe(-1)
    expect(ranked.levels).toBe(expected.reduce((a, b) => Math.max(a, b), 0))
    expect(ranked.levels).toBeGreaterThan(50_000)
    for (let rank = 1; rank <= ranked.levels; rank += 997) {
      const row = expected.indexOf(rank)
      expect(ranked.value(rank)).toBe(value(codes[row]!))
    }
    // The same column ranked through value() alone agrees.
    const viaValues = columnRanks(
      { codes, size: poolValues.length, value, isUnique: false },
      codes.length
    )
    expect(firstWrong(viaValues.ranks)).toBe(-1)
  })
})

describe('rows in rank order', () => {
  it('orders every row by rank, ties by row, as a counting sort of the rows from 0 does', () => {
    const n = 20_000
    const levels = 300
    // Rank 0 (no value) and the highest among them; many ties.
    const ranks = Uint16Array.from({ length: n }, (_, row) =>
      row % 11 === 0 ? 0 : rand(levels + 1)
    )
    const column = { ranks, levels, value: (rank: number) => String(rank) }
    const byRank = rowsByRank(column, n)
    const all = Uint32Array.from({ length: n }, (_, row) => row)
    expect(Array.from(byRank)).toEqual(
      Array.from(orderByKeys(all, [{ column, isDescending: false }]))
    )
    // Stable: within a rank, rows ascend.
    for (let i = 1; i < n; i++) {
      const [a, b] = [byRank[i - 1]!, byRank[i]!]
      expect(ranks[a]! < ranks[b]! || (ranks[a] === ranks[b] && a < b)).toBe(true)
    }
  })
})
