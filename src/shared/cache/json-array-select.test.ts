import { describe, expect, it } from 'vitest'

import { jsonArrayElements, selectJsonArrayElements } from './json-array-select'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

function select(value: unknown[], keep: number[]): unknown {
  const out = selectJsonArrayElements(encoder.encode(JSON.stringify(value)), keep, value.length)
  return out === null ? null : JSON.parse(decoder.decode(out))
}

describe('selecting JSON array elements from bytes', () => {
  const tricky = [
    { source: 'a, b].csv', line: 2, rawSha256: null, csvCreationDate: null },
    null,
    { source: 'quote " and \\ backslash \\" ]}', line: 3 },
    { source: 'café — 東京 😀', nested: { list: [1, [2, { x: ']' }]] } },
    'plain string with \\"escapes\\" and , commas',
    42,
    [],
    {}
  ]

  it('keeps exactly the chosen elements, in order, whatever their strings hold', () => {
    expect(select(tricky, [0, 2, 3, 7])).toEqual([tricky[0], tricky[2], tricky[3], tricky[7]])
    expect(select(tricky, [1, 4, 5, 6])).toEqual([null, tricky[4], 42, []])
    expect(select(tricky, [])).toEqual([])
    expect(
      select(
        tricky,
        tricky.map((_, i) => i)
      )
    ).toEqual(tricky)
  })

  it('finds every element of pretty-printed JSON too', () => {
    const bytes = encoder.encode(JSON.stringify(tricky, null, 2))
    expect(jsonArrayElements(bytes)).toHaveLength(tricky.length)
    const out = selectJsonArrayElements(bytes, [3], tricky.length)
    expect(JSON.parse(decoder.decode(out!))).toEqual([tricky[3]])
  })

  it('refuses what is not an array of the expected length', () => {
    const bytes = encoder.encode(JSON.stringify([1, 2, 3]))
    expect(selectJsonArrayElements(bytes, [0], 4)).toBeNull()
    for (const bad of ['{"a":1}', '[1,2', '[1,,2]', '[1,2]]', '[1,2] x', '["open]', '']) {
      expect(jsonArrayElements(encoder.encode(bad))).toBeNull()
    }
    expect(jsonArrayElements(encoder.encode('[]'))).toEqual([])
    expect(jsonArrayElements(encoder.encode(' [ 1 , "x" ] '))).toEqual([
      [3, 4],
      [7, 10]
    ])
  })
})
