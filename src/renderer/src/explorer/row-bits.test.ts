import { describe, expect, it } from 'vitest'

import { allRows, noRows, packMask, rowsOf } from './row-bits'
import type { BoundTerm } from './search-columns'
import { evaluateSearch } from './search-mask'

/** Rows 0…n-1 marked by a deterministic pseudo-random byte mask. */
function byteMask(n: number, seed: number): Uint8Array {
  let state = seed
  return Uint8Array.from({ length: n }, () => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff
    return state % 3 === 0 ? 1 : 0
  })
}

function marked(mask: Uint8Array): number[] {
  return [...mask.keys()].filter((row) => mask[row] !== 0)
}

describe('row bits', () => {
  it.each([0, 1, 31, 32, 33, 64, 1000])('packs a byte mask of %i rows bit for bit', (n) => {
    const mask = byteMask(n, n + 7)
    // Row 31 of a word is its sign bit: make sure it is marked where there is one.
    if (n > 31) {
      mask[31] = 1
    }
    const bits = packMask(mask)
    expect(bits.array()).toEqual(marked(mask))
    expect(bits.words.length).toBe(Math.ceil(n / 32))
    expect(rowsOf(n, marked(mask)).array()).toEqual(marked(mask))
  })

  it.each([1, 31, 32, 33, 64, 65])('holds exactly rows 0…%i-1 when all are kept', (n) => {
    expect(allRows(n).size()).toBe(n)
    expect(allRows(n).array()).toEqual([...Array(n).keys()])
    expect(noRows(n).size()).toBe(0)
  })

  it('evaluates negations, ANDs and ORs without rows past the end or changes to the terms', () => {
    const n = 70
    const a = packMask(byteMask(n, 1))
    const b = packMask(byteMask(n, 2))
    const before = [a.array(), b.array()]
    const term = (text: string): BoundTerm => ({
      colId: null,
      text,
      isNegated: text.startsWith('-')
    })
    const result = evaluateSearch([[term('a'), term('-b')], [term('-a')]], n, (_, text) =>
      text.endsWith('a') ? a : b
    )!
    const expected = [...Array(n).keys()].filter(
      (row) => (a.has(row) && !b.has(row)) || !a.has(row)
    )
    expect(result.array()).toEqual(expected)
    expect(result.size()).toBe(expected.length)
    expect([a.array(), b.array()]).toEqual(before)
    // One plain term is answered by its own (cached) rows.
    expect(evaluateSearch([[term('a')]], n, () => a)).toBe(a)
    expect(evaluateSearch([], n, () => a)).toBeNull()
  })
})
