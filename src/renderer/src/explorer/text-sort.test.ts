import { describe, expect, it } from 'vitest'

import { packedEqual, packSlices, sortPackedTexts } from './text-sort'

let state = 7
function rand(n: number): number {
  state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff
  return state % n
}

function pack(texts: string[]): ReturnType<typeof packSlices> {
  const count = texts.length
  return packSlices(
    texts,
    Uint32Array.from({ length: count }, (_, i) => i),
    new Uint32Array(count),
    Uint32Array.from(texts, (t) => t.length)
  )
}

describe('sorting packed texts', () => {
  it('orders texts as `<` does, equal texts side by side', () => {
    const alphabet = ['a', 'b', 'A', '.', '1', '9', 'é', '日', '\ud83d\ude00', '']
    const texts = Array.from({ length: 20_000 }, () => {
      // Shared prefixes, prefixes of each other, duplicates, empty texts and non-Latin-1 units.
      const length = rand(9)
      let text = rand(3) === 0 ? '10.0.' : ''
      for (let i = 0; i < length; i++) {
        text += alphabet[rand(alphabet.length)]
      }
      return text
    })
    const packed = pack(texts)
    const order = sortPackedTexts(packed)
    const sorted = Array.from(order, (i) => texts[i]!)
    expect(sorted).toEqual([...texts].sort())
    for (let k = 1; k < order.length; k++) {
      expect(packedEqual(packed, order[k - 1]!, order[k]!)).toBe(sorted[k - 1] === sorted[k])
    }
    expect(new Set(order).size).toBe(texts.length)
  })

  it('sorts texts sharing a prefix longer than the call stack is deep', () => {
    const prefix = 'x'.repeat(200_000)
    const texts = ['b', 'a', 'c', 'a', '', 'b'].map((tail) => prefix + tail)
    const order = sortPackedTexts(pack(texts))
    expect(Array.from(order, (i) => texts[i]!.slice(prefix.length))).toEqual([
      '',
      'a',
      'a',
      'b',
      'b',
      'c'
    ])
  })

  it('reads slices of larger strings', () => {
    const pool = 'delta\u0000alpha\u0000charlie\u0000'
    const packed = packSlices(
      [pool, 'bravo'],
      Uint32Array.from([0, 0, 1, 0]),
      Uint32Array.from([0, 6, 0, 12]),
      Uint32Array.from([5, 11, 5, 19])
    )
    const order = sortPackedTexts(packed)
    expect(Array.from(order)).toEqual([1, 2, 3, 0])
  })
})
