import { describe, expect, it } from 'vitest'

import { poolOf, splitPool } from '../db/record-chunk'

import { GlobalPool } from './global-pool'
import { jsonCover } from './json-cover'
import { SHARED_LIMIT, SharedValues } from './shared-values'
import { chunkOf } from './test-support/cover-source'

// Three chunks repeating users and connectors; covered JSON texts whose values are shared.
const CHUNKS = [
  {
    values: [
      '{"Who":"alice@x","App":"Conn-A"}',
      'alice@x',
      'Conn-A',
      'id-0001-a7',
      'bob@x',
      'shared-é-value'
    ],
    uses: chunkOf([3, 4], [[0, 1, 2], [5]]),
    shareable: [1, 2, 4, 5]
  },
  {
    values: [
      'bob@x',
      'id-0002-b8',
      '{"Who":"bob@x","App":"Conn-B"}',
      'Conn-B',
      'alice@x',
      'CONN-A'
    ],
    uses: chunkOf([1, 5], [[2, 0, 3], [4]]),
    shareable: [0, 3, 4, 5]
  },
  {
    values: ['carol@x', 'id-0003', 'Conn-A', '', 'shared-é-value'],
    uses: chunkOf([1, 3], [[0, 2], [4]]),
    // The empty value is never shared.
    shareable: [0, 2, 3, 4]
  }
]

function poolWith(isShared: boolean): GlobalPool {
  const pool = new GlobalPool()
  CHUNKS.forEach(({ values, uses, shareable }, c) => {
    const { text, starts } = poolOf(values)
    pool.add(text, '', starts)
    const cover = jsonCover(uses, pool.chunks[c]!, [0])
    pool.prepareSearch(c, cover, isShared ? Uint32Array.from(shareable) : null)
  })
  return pool
}

describe('shared values', () => {
  const shared = poolWith(true)
  const alone = poolWith(false)

  it('holds each repeated value once and drops it from every pool', () => {
    expect(shared.shared.size).toBe(7)
    // Chunk 0 keeps only its Id (and its covered text's separator); chunk 2 its Id and ''.
    const kept = shared.chunks.map((chunk) => chunk.text.replace(/\0/g, '|'))
    expect(kept).toEqual(['|||id-0001-a7|||', '|id-0002-b8|||||', '|id-0003||||'])
  })

  it('reads and finds every value as a pool without shared values does', () => {
    for (let code = 0; code < alone.size; code++) {
      expect(shared.value(code), String(code)).toBe(alone.value(code))
      expect(shared.flatValue(code), String(code)).toBe(alone.value(code))
    }
    CHUNKS.forEach(({ values }, c) => {
      for (const value of [...values, 'absent', 'Conn-B', 'alice@x']) {
        expect(shared.find(c, value), `${c}: ${value}`).toBe(alone.find(c, value))
      }
    })
  })

  it('marks what a pool without shared values marks, for any needle', () => {
    const needles = [
      '',
      'alice',
      'conn-a',
      'a7',
      'é',
      'shared-é',
      '@x',
      'who":"bob',
      '"app":"conn-a"'
    ]
    needles.push('conn', '-', 'x"}', 'b', 'zzz', '{', 'conn-b"}', 'alice@x', 'ÉD-É')
    for (const { values } of CHUNKS) {
      for (const value of values) {
        for (let from = 0; from < value.length; from += 3) {
          needles.push(value.slice(from, from + 4).toLowerCase())
        }
      }
    }
    for (const needle of needles) {
      const expected = alone.mark(needle)
      expect(shared.mark(needle), needle).toEqual(expected)
      expect(shared.mark(needle, true), needle).toEqual(alone.mark(needle, true))
      // And what a plain test of each value finds.
      const naive = CHUNKS.map(({ values }) =>
        values.flatMap((value, code) => (value.toLowerCase().includes(needle) ? [code] : []))
      )
      expect(expected, needle).toEqual(naive)
    }
  })

  it('finds a wide value by its lower case once an ASCII pool has dropped its shared values', () => {
    // The Kelvin sign lower-cases to `k`, which a case-insensitive pattern does not match: the
    // pool is ASCII only if its wide text is too, else its wide text is searched lowered.
    const values = ['alice@x', 'id-0001', '\u212Aelvin 5', 'bob@x']
    const { pool: text, widePool, starts, order } = splitPool(values)
    const pool = new GlobalPool()
    pool.add(text, widePool, starts)
    pool.prepareSearch(0, null, Uint32Array.from([order[0]!, order[3]!]))
    expect(pool.chunks[0]!.shared?.locals.length).toBe(2)
    expect(pool.mark('kelvin')).toEqual([[order[2]]])
    expect(pool.mark('lvin 5')).toEqual([[order[2]]])
    expect(pool.mark('alice')).toEqual([[order[0]]])
  })

  it('stops sharing new values at its limit, and never shares an empty one', () => {
    const values = new SharedValues()
    expect(values.share('')).toBe(-1)
    for (let i = 0; i < SHARED_LIMIT; i++) {
      expect(values.share(`v${i}`)).toBe(i)
    }
    expect(values.share('one more')).toBe(-1)
    // Values shared already are still found.
    expect(values.share('v7')).toBe(7)
    expect(values.idOf('one more')).toBe(-1)
    expect(values.text().starts.length).toBe(SHARED_LIMIT + 1)
  })
})
