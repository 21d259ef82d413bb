import { describe, expect, it } from 'vitest'

import { EMPTY_VALUE, type StackSort } from '../../../shared/explorer'

import type { RankedColumn } from './column-ranks'
import { stackByRanks } from './stack-counts'

// Stacks of many keys (a high-cardinality column, or two columns whose key space passes the dense
// table and is counted in a map) against a plain count of the same rows.

let state = 99
function rand(n: number): number {
  state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff
  return state % n
}

/** A ranked column of `levels` values v0001… over `rows` rows; rank 0 (no value) now and then. */
function column(levels: number, rows: number): RankedColumn {
  const ranks = new Uint32Array(rows)
  for (let row = 0; row < rows; row++) {
    ranks[row] = rand(10) === 0 ? 0 : 1 + rand(levels)
  }
  return { ranks, levels, value: (rank) => (rank === 0 ? '' : `v${String(rank).padStart(5, '0')}`) }
}

function naive(
  mask: Uint8Array,
  columns: RankedColumn[],
  sort: StackSort
): { values: string[]; count: number }[] {
  const counts = new Map<string, { values: string[]; count: number; keys: number[] }>()
  for (let row = 0; row < mask.length; row++) {
    if (mask[row] !== 1) continue
    const keys = columns.map((c) => c.ranks[row]!)
    const values = keys.map((rank, i) => (rank === 0 ? EMPTY_VALUE : columns[i]!.value(rank)))
    const entry = counts.get(values.join('\u0000')) ?? { values, count: 0, keys }
    entry.count++
    counts.set(values.join('\u0000'), entry)
  }
  const byValue = (a: { keys: number[] }, b: { keys: number[] }): number =>
    a.keys[0]! - b.keys[0]! || (a.keys[1] ?? 0) - (b.keys[1] ?? 0)
  const entries = [...counts.values()].sort(byValue)
  if (sort === 'value-desc') entries.reverse()
  if (sort === 'count-desc') entries.sort((a, b) => b.count - a.count)
  if (sort === 'count-asc') entries.sort((a, b) => a.count - b.count)
  return entries.map(({ values, count }) => ({ values, count }))
}

describe('stacks of many keys', () => {
  const rows = 20_000
  const mask = Uint8Array.from({ length: rows }, () => (rand(4) === 0 ? 0 : 1))
  const kept = Uint32Array.from(mask.keys()).filter((row) => mask[row] === 1)
  const wide = column(15_000, rows)
  const other = column(3_000, rows)

  it.each(['count-desc', 'count-asc', 'value-asc', 'value-desc'] as const)(
    'counts one high-cardinality column exactly (%s)',
    (sort) => {
      const answer = stackByRanks(kept, [wide], sort, 50, { offset: 7 })
      const expected = naive(mask, [wide], sort)
      expect(answer.distinct).toBe(expected.length)
      expect(answer.total).toBe(mask.reduce((n, m) => n + m, 0))
      expect(answer.entries.map(({ values, count }) => ({ values, count }))).toEqual(
        expected.slice(7, 57)
      )
    }
  )

  it('counts two columns whose key space passes the dense table (a map) exactly', () => {
    for (const sort of ['count-desc', 'value-desc'] as const) {
      const answer = stackByRanks(kept, [wide, other], sort, 40)
      const expected = naive(mask, [wide, other], sort)
      expect(answer.distinct).toBe(expected.length)
      expect(answer.entries.map(({ values, count }) => ({ values, count }))).toEqual(
        expected.slice(0, 40)
      )
    }
  })

  it('finds entries by a value they contain', () => {
    const answer = stackByRanks(kept, [wide, other], 'value-asc', 1000, { find: 'V0001' })
    const expected = naive(mask, [wide, other], 'value-asc').filter((e) =>
      e.values.some((v) => v.includes('v0001'))
    )
    expect(answer.matching).toBe(expected.length)
    expect(answer.entries.map(({ values, count }) => ({ values, count }))).toEqual(
      expected.slice(0, 1000)
    )
  })
})
