import { describe, expect, it } from 'vitest'

import { columnRanks } from './column-ranks'
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
