import { describe, expect, it } from 'vitest'

import { narrowNumbers, poolColumnCodes, type LoadedChunk } from './loaded-chunks'

function chunkOf(firstRow: number, poolFirst: number, codes: number[]): LoadedChunk {
  const count = codes.length / 2
  return {
    firstRow,
    count,
    poolFirst,
    codes: Uint16Array.from(codes),
    recordType: new Float64Array(count),
    userType: new Float64Array(count),
    flags: new Uint8Array(count),
    keyMap: new Uint32Array(0),
    pairStart: new Uint32Array(count + 1),
    pairKey: new Uint8Array(0),
    pairValue: new Uint16Array(0)
  }
}

describe('loaded chunks', () => {
  it('keeps record and user types in half the bytes when each is exact there', () => {
    const types = Float64Array.from([15, NaN, 0, -3, 2 ** 24, 255])
    const narrow = narrowNumbers(types)
    expect(narrow).toBeInstanceOf(Float32Array)
    expect([...narrow]).toEqual([...types])
    // A fraction or an integer past 2^24 would change: the array stays as it is.
    for (const odd of [1.5, 2 ** 24 + 1, Infinity]) {
      const given = Float64Array.from([1, odd])
      expect(narrowNumbers(given)).toBe(given)
    }
  })

  it('makes a pool-coded column’s global codes from the chunks’ own (slot-major) codes', () => {
    // Two slots per chunk; slot 1 is the column: chunk 0 rows 0–1, chunk 1 rows 2–4.
    const chunks = [chunkOf(0, 0, [0, 1, 2, 3]), chunkOf(2, 4, [0, 0, 0, 2, 1, 0])]
    expect([...poolColumnCodes(chunks, 1, 5)]).toEqual([2, 3, 6, 5, 4])
    expect([...poolColumnCodes(chunks, 0, 5)]).toEqual([0, 1, 4, 4, 4])
  })
})
