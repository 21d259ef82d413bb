import { describe, expect, it } from 'vitest'

import {
  VALUE_ROWS_STEP,
  denseWords,
  markDenseRows,
  valueRows,
  valueRowsBytes,
  valueRowsStart,
  type ValueRowsSource
} from './value-rows'

let state = 11
function rand(n: number): number {
  state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff
  return state % n
}

/**
 * A chunk of `count` rows over `poolSize` values: `columns` coded columns, 0–6 pairs a row; a
 * third of the values drawn from the first eight (values most rows use, as Purview's are).
 */
function randomChunk(count: number, poolSize: number, columns: number): ValueRowsSource {
  const draw = (): number => (rand(3) === 0 ? rand(Math.min(8, poolSize)) : rand(poolSize))
  const codes = new Uint32Array(columns * count).map(draw)
  const pairStart = new Uint32Array(count + 1)
  const pairValue: number[] = []
  for (let i = 0; i < count; i++) {
    pairStart[i] = pairValue.length
    for (let k = rand(7); k > 0; k--) {
      pairValue.push(draw())
    }
  }
  pairStart[count] = pairValue.length
  return { count, codes, pairStart, pairValue: Uint32Array.from(pairValue) }
}

describe('valueRows', () => {
  it('lists, for every value, each row using it in a searched column or a field once, in order', () => {
    for (const [count, poolSize] of [
      [1, 1],
      [50, 3],
      [400, 900],
      [4096, 20_000]
    ] as const) {
      const chunk = randomChunk(count, poolSize, 5)
      // Column 1 is not searched: its values count only where a searched place uses them too.
      const slots = [0, 2, 3, 4]
      const expected = Array.from({ length: poolSize }, () => new Set<number>())
      for (let i = 0; i < count; i++) {
        for (const slot of slots) {
          expected[chunk.codes[slot * count + i]!]!.add(i)
        }
        for (let p = chunk.pairStart[i]!; p < chunk.pairStart[i + 1]!; p++) {
          expected[chunk.pairValue[p]!]!.add(i)
        }
      }
      const made = valueRows(chunk, poolSize, slots)
      const { counts, rows, steps } = made
      expect(counts.length).toBe(poolSize)
      // Each value's rows follow the rows of the values before it.
      let at = 0
      const starts: number[] = []
      for (let code = 0; code < poolSize; code++) {
        // A value's start is found from the nearest step as from the running sum, and from a
        // value a little before it too.
        expect(valueRowsStart(made, code), `start of ${code}`).toBe(at)
        const near = code - 1 - (code % 3)
        if (near >= 0) {
          expect(valueRowsStart(made, code, near, starts[near]), `from ${near}`).toBe(at)
        }
        starts.push(at)
        const listed = [...rows.subarray(at, at + counts[code]!)]
        // A dense value's rows are bits instead.
        const bits = new Uint8Array(count)
        const isDense = markDenseRows(made, code, bits)
        expect(isDense, `value ${code} is dense`).toBe(made.denseCodes.includes(code))
        const got = isDense ? [...bits.keys()].filter((i) => bits[i] === 1) : listed
        if (isDense) {
          expect(listed).toEqual([])
          // Only where a list would take more bytes.
          expect(expected[code]!.size * 2).toBeGreaterThan(denseWords(count) * 4 + 4)
        } else {
          expect(expected[code]!.size * 2).toBeLessThanOrEqual(denseWords(count) * 4 + 4)
        }
        expect(got, `value ${code} of ${poolSize}`).toEqual(
          [...expected[code]!].sort((a, b) => a - b)
        )
        at += counts[code]!
      }
      expect(at).toBe(rows.length)
      if (count >= 50) {
        // (Few values over many rows: some are in most rows.)
        expect(made.denseCodes.length, `dense values of ${poolSize}`).toBeGreaterThan(0)
      }
      expect([...made.denseCodes]).toEqual([...made.denseCodes].sort((a, b) => a - b))
      expect(made.denseBits.length).toBe(made.denseCodes.length * denseWords(count))
      expect(counts).toBeInstanceOf(Uint16Array)
      expect(rows).toBeInstanceOf(Uint16Array)
      expect(steps.length).toBe(Math.floor(poolSize / VALUE_ROWS_STEP) + 1)
      expect(valueRowsBytes(made)).toBe(
        counts.byteLength +
          rows.byteLength +
          steps.byteLength +
          made.denseCodes.byteLength +
          made.denseBits.byteLength
      )
    }
  })

  it('gives a value no row uses an empty list', () => {
    const chunk = {
      count: 2,
      codes: new Uint16Array([0, 2]),
      pairStart: new Uint32Array([0, 1, 1]),
      pairValue: new Uint16Array([2])
    }
    const { counts, rows } = valueRows(chunk, 4, [0])
    // Value 0: row 0's column; value 2: row 0's field and row 1's column; 1 and 3: no row.
    expect([...counts]).toEqual([1, 0, 2, 0])
    expect([...rows]).toEqual([0, 0, 1])
  })
})
