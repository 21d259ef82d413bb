import { describe, expect, it } from 'vitest'

import { IdIndex, idHash64 } from './id-index'

const guid = (n: number): string =>
  `5f${n.toString(16).padStart(6, '0')}-aaaa-4bbb-8ccc-${n.toString(16).padStart(12, '0')}`

describe('IdIndex', () => {
  it('holds many Ids exactly (growth included), in typed arrays', () => {
    const index = new IdIndex()
    let added = 0
    for (let n = 0; n < 200_000; n++) {
      added += index.add(guid(n)) ? 1 : 0
    }
    expect(added).toBe(200_000)
    expect(index.size).toBe(200_000)
    expect(index.add(guid(7))).toBe(false)
    expect(index.has(guid(199_999))).toBe(true)
    expect(index.has(guid(200_000))).toBe(false)
    expect(index.has(guid(7).toUpperCase())).toBe(false)
    const [hi, lo] = idHash64(guid(1))
    expect(hi >>> 0).toBe(hi)
    expect(lo >>> 0).toBe(lo)
  })

  it('claims for an import session: new, duplicate / conflict by content, stored', () => {
    const index = new IdIndex()
    index.add('stored-before')
    expect(index.claim('stored-before', 1)).toBe('stored')
    expect(index.claim('a', 11)).toBe('new')
    expect(index.claim('a', 11)).toBe('duplicate')
    expect(index.claim('a', 12)).toBe('conflict')
    expect(index.claim('b', 0)).toBe('new')
    expect(index.claim('b', 0)).toBe('duplicate')
    // a claim is not stored until its batch is committed
    expect(index.has('a')).toBe(false)
    expect(index.size).toBe(1)
    expect(index.add('a')).toBe(true)
    expect(index.add('a')).toBe(false)
    expect(index.size).toBe(2)
    // the session ends before b's batch was committed: b is forgotten, a stays
    index.endSession()
    expect(index.has('a')).toBe(true)
    expect(index.claim('a', 11)).toBe('stored')
    expect(index.claim('b', 5)).toBe('new')
  })
})
