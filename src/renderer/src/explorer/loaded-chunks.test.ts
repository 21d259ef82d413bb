import { describe, expect, it } from 'vitest'

import {
  fieldCodes,
  keptCodes,
  narrowNumbers,
  numberAt,
  numberBytes,
  numberColumn,
  pairShapes,
  poolColumnCodes,
  preparedSlotAt,
  rowKeys,
  slotStart,
  type LoadedChunk
} from './loaded-chunks'

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
    shapes: null,
    sources: null,
    slotAt: null,
    pairValue: new Uint16Array(0)
  }
}

let state = 7
function rand(n: number): number {
  state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff
  return state % n
}

/** A chunk of `count` rows whose fields follow one of `kinds` key sequences (or vary, with 0). */
function fieldChunk(count: number, kinds: number[][]): LoadedChunk {
  const pairStart = new Uint32Array(count + 1)
  const keys: number[] = []
  for (let i = 0; i < count; i++) {
    pairStart[i] = keys.length
    keys.push(...kinds[rand(kinds.length)]!)
  }
  pairStart[count] = keys.length
  return {
    ...chunkOf(0, 0, []),
    count,
    keyMap: Uint32Array.from({ length: 12 }, (_, k) => 100 + k),
    pairStart,
    pairKey: Uint8Array.from(keys),
    pairValue: Uint16Array.from(keys, (_, p) => p % 1000)
  }
}

describe('loaded chunks', () => {
  it('keeps one place for slots whose codes are the same in every row', () => {
    // Six slots of four rows: 1 and 4 are '' (code 0) in every row, 5 repeats 2, 3 is dropped.
    const columns = [
      [1, 2, 3, 4],
      [0, 0, 0, 0],
      [5, 6, 5, 7],
      [8, 8, 9, 9],
      [0, 0, 0, 0],
      [5, 6, 5, 7]
    ]
    const chunk = { ...chunkOf(0, 0, []), count: 4, codes: Uint16Array.from(columns.flat()) }
    const slotAt = preparedSlotAt(chunk, 6, (slot) => slot === 3)
    expect([...slotAt]).toEqual([0, 1, 2, -1, 1, 2])
    const kept = { ...chunk, codes: keptCodes(chunk, slotAt), slotAt }
    expect(kept.codes).toHaveLength(3 * 4)
    columns.forEach((column, slot) => {
      if (slot === 3) {
        expect(() => slotStart(kept, slot)).toThrow(RangeError)
        return
      }
      const start = slotStart(kept, slot)
      expect([...kept.codes.subarray(start, start + 4)], `slot ${slot}`).toEqual(column)
    })
    // A column differing in its last row only is kept apart.
    const last = { ...chunk, codes: Uint16Array.from([0, 0, 0, 0, 0, 0, 0, 1]) }
    expect([...preparedSlotAt(last, 2, () => false)]).toEqual([0, 1])
  })

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

  it('reads the same keys and field codes through shapes as through the pair keys', () => {
    // Four kinds of record, one with a key twice (an array of two), one without fields.
    const chunk = fieldChunk(3000, [[0, 1, 2, 3, 8, 9], [0, 4, 5, 5, 6, 8, 9], [7, 9, 10], []])
    const shapes = pairShapes(chunk.pairStart, chunk.pairKey!, chunk.count)
    expect(shapes?.keys).toHaveLength(4)
    expect(shapes?.of).toBeInstanceOf(Uint8Array)
    const shaped: LoadedChunk = { ...chunk, pairKey: null, shapes }
    for (let i = 0; i < chunk.count; i++) {
      expect(Array.from(rowKeys(shaped, i))).toEqual(Array.from(rowKeys(chunk, i)))
    }
    for (let key = 99; key <= 108; key++) {
      expect(Array.from(fieldCodes([shaped], key, chunk.count))).toEqual(
        Array.from(fieldCodes([chunk], key, chunk.count))
      )
    }
    // The first pair of a key is its value, as before (key 105 twice in one kind).
    const codes = fieldCodes([shaped], 105, chunk.count)
    const row = Array.from(codes).findIndex((code) => code !== 0xffffffff)
    expect(codes[row]).toBe(chunk.pairValue[chunk.pairStart[row]! + 2])
  })

  it('keeps the pair keys when shapes would not take half their bytes', () => {
    // Every row its own sequence.
    const kinds = Array.from({ length: 400 }, (_, k) => [k % 12, (k >> 4) % 12, 11])
    const chunk = fieldChunk(600, kinds)
    expect(pairShapes(chunk.pairStart, chunk.pairKey!, chunk.count)).toBeNull()
  })

  it('keeps a chunk’s few record and user types as a byte a row, and reads each back', () => {
    const types = Float64Array.from({ length: 4096 }, (_, i) =>
      i % 7 === 0 ? NaN : [15, 256, 261, 0, -0][i % 5]!
    )
    const column = numberColumn(types)
    expect('codes' in column && column.codes).toBeInstanceOf(Uint8Array)
    expect(numberBytes(column)).toBe(4096 + 6 * 8)
    // (Object.is: NaN and -0 read back as they were.)
    types.forEach((type, i) => expect(Object.is(numberAt(column, i), type)).toBe(true))
    // 257 distinct values: kept as they are.
    const many = narrowNumbers(Float64Array.from({ length: 600 }, (_, i) => (i * 7) % 257))
    const wide = numberColumn(many)
    expect(wide).toBe(many)
    expect(Array.from(many, (_, i) => numberAt(wide, i))).toEqual(Array.from(many))
  })

  it('makes a pool-coded column’s global codes from the chunks’ own (slot-major) codes', () => {
    // Two slots per chunk; slot 1 is the column: chunk 0 rows 0–1, chunk 1 rows 2–4.
    const chunks = [chunkOf(0, 0, [0, 1, 2, 3]), chunkOf(2, 4, [0, 0, 0, 2, 1, 0])]
    expect([...poolColumnCodes(chunks, 1, 5)]).toEqual([2, 3, 6, 5, 4])
    expect([...poolColumnCodes(chunks, 0, 5)]).toEqual([0, 1, 4, 4, 4])
  })
})
