import { describe, expect, it } from 'vitest'

import { Dictionary, GrowableCodes, GrowableF64, GrowableU32 } from './growable'
import { heapStringsStartingWith } from './test-support/heap-strings'

describe('growable arrays', () => {
  it('reserve exactly the size asked while empty (opening a cache of known size)', () => {
    const codes = new GrowableU32()
    codes.reserve(1_000_000)
    expect(codes.data.length).toBe(1_000_000)
    const times = new GrowableF64()
    times.reserve(12_345)
    expect(times.data.length).toBe(12_345)
  })

  it('grow by half at least when a commit at a time reserves a little more, keeping every value', () => {
    // An import the Explorer follows: 245 commits of 4,096 rows, each reserving the new total.
    const codes = new GrowableU32()
    const times = new GrowableF64()
    let copies = 0
    for (let commit = 0; commit < 245; commit++) {
      const before = codes.data
      codes.reserve(codes.length + 4096)
      times.reserve(times.length + 4096)
      if (codes.data !== before) {
        copies++
      }
      for (let i = 0; i < 4096; i++) {
        codes.push(commit)
      }
      times.pushAll(new Float64Array(4096).fill(commit))
    }
    // Geometric growth from 1,024 to a million: about 17 copies, not one per commit.
    expect(copies).toBeLessThan(25)
    expect(codes.length).toBe(245 * 4096)
    expect(codes.data[0]).toBe(0)
    expect(codes.data[244 * 4096]).toBe(244)
    expect(times.data[100 * 4096 + 7]).toBe(100)
  })

  it('hold codes a byte each, widening to two then four bytes as larger codes come, values kept', () => {
    const codes = new GrowableCodes()
    codes.reserve(10)
    codes.pushAll([0, 7, 255])
    expect(codes.data).toBeInstanceOf(Uint8Array)
    expect(codes.limit).toBe(255)
    codes.fit(255)
    expect(codes.data).toBeInstanceOf(Uint8Array)
    codes.fit(256)
    expect(codes.data).toBeInstanceOf(Uint16Array)
    codes.pushAll([356, 101])
    codes.fit(70_000)
    expect(codes.data).toBeInstanceOf(Uint32Array)
    codes.pushAll([70_000])
    expect(Array.from(codes.data.subarray(0, codes.length))).toEqual([0, 7, 255, 356, 101, 70_000])
    expect(codes.data.length).toBeGreaterThanOrEqual(10)
    // Widening straight from one byte to four.
    const jump = new GrowableCodes()
    jump.pushAll([3])
    jump.fit(1 << 20)
    jump.pushAll([1 << 20])
    expect(jump.data).toBeInstanceOf(Uint32Array)
    expect(Array.from(jump.data.subarray(0, 2))).toEqual([3, 1 << 20])
  })
})

describe('dictionary values', () => {
  it('keeps its own copy of a value, not a slice of the text it was read from', async () => {
    const dictionary = new Dictionary()
    ;(() => {
      const text = `a-dictionary-value-long-enough|${'z'.repeat(100_000)}`
      dictionary.code(text.slice(0, text.indexOf('|')))
    })()
    expect(dictionary.values).toEqual(['a-dictionary-value-long-enough'])
    // The long text is collected: the value kept does not hold it alive.
    expect(await heapStringsStartingWith('a-dictionary-value-long-enough|')).toEqual([])
  })
})
