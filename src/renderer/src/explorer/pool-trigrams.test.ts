import { describe, expect, it } from 'vitest'

import { POOL_SEPARATOR, poolOf, splitPool } from '../db/record-chunk'

import { makeRecord } from '../../../shared/audit/test-records'

import { ColumnIndex } from './column-index'
import type { ColumnStore } from './column-store'
import { GlobalPool, upperBound, valueAt } from './global-pool'
import {
  BLOCK_CHARS,
  buildTrigramFilter,
  candidateRanges,
  needleLetters,
  needleTrigrams
} from './pool-trigrams'
import { TEXT_COLUMNS } from './query-types'
import { bindSearch, searchNames } from './search-columns'
import { explorerColumns } from './explorer-columns'

// The quick search's trigram filter and value rows only narrow where the search looks: every
// answer must be exactly what a plain substring test over every value gives.

let state = 7
function rand(n: number): number {
  state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff
  return state % n
}

const WORDS = [
  'alpha',
  'Beta',
  'GAMMA',
  'İstanbul',
  'straße',
  'STRASSE',
  'Ærø',
  'x=1',
  '42',
  'a b',
  'Finance',
  'user1234@contoso.example',
  '{"ActionName":"PutApi","ConnectorName":"shared_sql_9"}',
  ''
]

function randomValue(): string {
  const parts: string[] = []
  for (let k = 0; k < 1 + rand(4); k++) {
    parts.push(WORDS[rand(WORDS.length)]!)
  }
  return parts.join(rand(2) === 0 ? ' ' : '-') + (rand(3) === 0 ? String(rand(10_000)) : '')
}

function naiveMarks(chunks: readonly string[][], needle: string): number[] {
  return chunks
    .flat()
    .flatMap((value, code) => (value.toLowerCase().includes(needle) ? [code] : []))
}

/**
 * Adds a chunk's values as chunks store them now (one-byte text, then the wide values) and
 * returns them in their new code order; `isOldLayout`: as chunks written before the split (every
 * value in one text).
 */
function addValues(pool: GlobalPool, given: readonly string[], isOldLayout = false): string[] {
  // A pool holds each value once.
  const values = [...new Set(given)]
  if (isOldLayout) {
    const { text, starts } = poolOf(values)
    pool.add(text, '', starts)
    return [...values]
  }
  const split = splitPool(values)
  pool.add(split.pool, split.widePool, split.starts)
  const ordered = [...values]
  split.order.forEach((to, from) => (ordered[to] = values[from]!))
  return ordered
}

function markedCodes(pool: GlobalPool, needle: string): number[] {
  return pool.mark(needle).flatMap((codes, c) => codes.map((code) => pool.chunks[c]!.first + code))
}

const NEEDLES = [
  '',
  'a',
  'ß',
  'e 4',
  'alpha',
  'beta',
  'gamma-42',
  'i̇stanbul',
  'istanbul',
  'straße',
  'strasse',
  'ærø',
  'finance',
  'user1234@',
  '"actionname":"putapi"',
  'shared_sql_9',
  'x=1 alpha',
  'zzz-not-there',
  // Ends one value and starts the next: never a match (each value is searched on its own).
  `42${POOL_SEPARATOR}alpha`,
  'alpha beta gamma'
]

describe('trigram filter of a pool', () => {
  it('makes a long run of covered values one block, and leaves a short run among the others', () => {
    // 10 plain values, 40 covered ones (of 100 characters), 3 plain, 5 covered, 10 plain.
    const kinds = [
      ...'p'.repeat(10),
      ...'c'.repeat(40),
      ...'p'.repeat(3),
      ...'s'.repeat(5),
      ...'p'.repeat(10)
    ]
    const values = kinds.map((kind, i) => (kind === 'p' ? `plain-${i}` : `${kind}`.repeat(100)))
    const { text, starts } = poolOf(values)
    const covered = Uint8Array.from(kinds, (kind) => (kind === 'p' ? 0 : 1))
    const filter = buildTrigramFilter({ text, wide: '', starts }, false, false, covered)
    const blocks = [...filter.blockStarts]
    const run = blocks.indexOf(10)
    expect(run).toBeGreaterThanOrEqual(0)
    expect(blocks[run + 1]).toBe(50)
    expect(filter.covered![run]).toBe(1)
    // The short run shares its block with the plain values after it: not skipped.
    const short = upperBound(filter.blockStarts, 55) - 1
    expect(filter.covered![short]).toBe(0)
    expect(filter.blockStarts[short]).toBeLessThanOrEqual(53)
  })

  const chunks = [0, 1, 2].map(() => Array.from({ length: 400 + rand(200) }, randomValue))
  // An ASCII-only chunk too: it is searched without a lower-cased copy.
  chunks.push(Array.from({ length: 300 }, () => randomValue().replace(/[^ -~]/g, 'Q')))

  it('adds no trigram of a value left out of the pool, in a block with others', () => {
    const values = ['plain-one', 'xyzzy-left-out', 'plain-two', 'qwerty-kept']
    const { text, starts } = poolOf(values)
    const pool = { text, wide: '', starts }
    const leftOut = Uint8Array.from([0, 1, 0, 0])
    const filter = buildTrigramFilter(pool, false, false, leftOut)
    expect(filter.blockStarts.length - 1).toBe(1)
    expect(filter.covered).toBeNull()
    const ranges = (needle: string): number[] =>
      candidateRanges(filter, needleTrigrams(needle), needleLetters(needle), true)
    expect(ranges('xyzzy')).toEqual([])
    expect(ranges('qwerty')).toEqual([0, 4, 1])
    // Kept, the same value is found.
    const all = buildTrigramFilter(pool, false, false, new Uint8Array(4))
    expect(candidateRanges(all, needleTrigrams('xyzzy'), needleLetters('xyzzy'))).toEqual([0, 4, 1])
  })

  it('reads an ASCII pool as its bytes into exactly the filter its characters give', () => {
    // Upper-case letters (folded, and noted per block), covered values, every block size.
    const values = Array.from({ length: 900 }, (_, i) =>
      i % 7 === 3 ? 'C'.repeat(40) : randomValue().replace(/[^ -~]/g, 'Q')
    )
    const { text, starts } = poolOf(values)
    expect([...text].every((c) => c.charCodeAt(0) < 0x80)).toBe(true)
    const covered = Uint8Array.from(values, (_, i) => (i % 7 === 3 ? 1 : 0))
    const pool = { text, wide: '', starts }
    const byChars = buildTrigramFilter(pool, false, false, covered, null)
    const bytes = new TextEncoder().encode(text)
    for (const byBytes of [
      buildTrigramFilter(pool, false, false, covered, bytes),
      buildTrigramFilter(pool, false, false, covered)
    ]) {
      expect([...byBytes.blockStarts]).toEqual([...byChars.blockStarts])
      expect([...byBytes.bits]).toEqual([...byChars.bits])
      expect([...byBytes.upper]).toEqual([...byChars.upper])
      expect(byBytes.covered && [...byBytes.covered]).toEqual(
        byChars.covered && [...byChars.covered]
      )
    }
    expect(byChars.upper.some((letters) => letters !== 0)).toBe(true)
  })

  it('cuts each pool into many blocks of whole values', () => {
    const { text, starts } = poolOf(chunks[0]!)
    const filter = buildTrigramFilter({ text: text.toLowerCase(), wide: '', starts }, true, true)
    const blocks = filter.blockStarts.length - 1
    expect(blocks).toBeGreaterThan(3)
    expect(filter.blockStarts[0]).toBe(0)
    expect(filter.blockStarts[blocks]).toBe(chunks[0]!.length)
    for (let b = 0; b + 1 < blocks; b++) {
      const chars = starts[filter.blockStarts[b + 1]!]! - starts[filter.blockStarts[b]!]!
      expect(chars).toBeGreaterThanOrEqual(BLOCK_CHARS)
    }
  })

  it('admits every block holding the needle and rules out blocks that cannot', () => {
    const values = Array.from({ length: 600 }, (_, i) => (i === 450 ? 'Needle-XYZ' : `v${i}`))
    const { text, starts } = poolOf(values)
    const filter = buildTrigramFilter({ text, wide: '', starts }, false, false)
    const ranges = candidateRanges(
      filter,
      needleTrigrams('needle-xyz'),
      needleLetters('needle-xyz')
    )
    expect(ranges.length).toBe(3)
    expect(ranges[0]).toBeLessThanOrEqual(450)
    expect(ranges[1]).toBeGreaterThan(450)
    // The block holds N, E, X, Y and Z in upper case: it is searched ignoring case.
    expect(ranges[2]).toBe(0)
    // Every block is a candidate for a needle without a trigram; only the block holding `V`…
    // (none: the values are lower case) would need a search ignoring case.
    expect(candidateRanges(filter, needleTrigrams('v1'), needleLetters('v1'))).toEqual([
      0,
      values.length,
      1
    ])
  })

  it('searches case-sensitively exactly the blocks without the needle letters in upper case', () => {
    // Lower-case GUID-like values, then values with upper-case letters, then lower case again.
    const values = Array.from({ length: 900 }, (_, i) => {
      const hex = ((i * 2654435761) >>> 0).toString(16).padStart(8, '0')
      return i >= 300 && i < 600 ? `Time ${hex}T${i}` : `${hex}-a7${i % 10}-${hex}`
    })
    const { text, starts } = poolOf(values)
    const filter = buildTrigramFilter({ text, wide: '', starts }, false, false)
    // Each block's letters: T in the middle blocks only.
    const blocks = filter.blockStarts.length - 1
    for (let b = 0; b < blocks; b++) {
      const first = filter.blockStarts[b]!
      const last = filter.blockStarts[b + 1]! - 1
      const isMiddle = last >= 300 && first < 600
      expect(filter.upper[b], `block ${b}`).toBe(isMiddle ? 1 << ('T'.charCodeAt(0) - 65) : 0)
    }
    // `a7` has no T: every block is exact, as one range.
    expect(candidateRanges(filter, needleTrigrams('a7'), needleLetters('a7'))).toEqual([
      0,
      values.length,
      1
    ])
    // `t3` has one: three ranges, the middle one ignoring case.
    const ranges = candidateRanges(filter, needleTrigrams('t3'), needleLetters('t3'))
    expect(ranges.length).toBe(9)
    expect([ranges[2], ranges[5], ranges[8]]).toEqual([1, 0, 1])
    expect(ranges[3]).toBeLessThanOrEqual(300)
    expect(ranges[4]).toBeGreaterThanOrEqual(600)
    // And the search finds `T3` there as `t3`, `A7` nowhere in upper case.
    const pool = new GlobalPool()
    pool.add(text, '', starts)
    pool.prepareSearch(0)
    for (const needle of ['t3', 'a7', 'a70', 'time', 'e 0']) {
      expect(markedCodes(pool, needle), needle).toEqual(naiveMarks([values], needle))
    }
    expect(markedCodes(pool, 't3').length).toBeGreaterThan(0)
  })

  it('marks exactly the values a plain substring test finds, across chunks and blocks', () => {
    // Chunks of both layouts: split (one-byte and wide texts) and one text (before the split).
    const pool = new GlobalPool()
    const ordered = chunks.map((values, c) => addValues(pool, values, c === 1))
    // The split moved values: the wide ones (İstanbul) now follow the one-byte ones.
    expect(ordered[0]).not.toEqual(chunks[0])
    expect(pool.chunks[0]!.wide).not.toBe('')
    for (const needle of NEEDLES) {
      expect(markedCodes(pool, needle), needle).toEqual(naiveMarks(ordered, needle))
    }
    // A search reads the chunks without filters whole and leaves making them to the idle worker.
    expect(pool.filterBytes()).toBe(0)
    // Whether the filters were made ahead of the search (idle) or not, the answers agree.
    const prepared = new GlobalPool()
    chunks.forEach((values, c) => {
      addValues(prepared, values, c === 1)
      prepared.prepareSearch(c)
    })
    for (const needle of NEEDLES) {
      expect(markedCodes(prepared, needle), needle).toEqual(naiveMarks(ordered, needle))
    }
    // Half made: the chunks with a filter are narrowed by it, the others read whole.
    const half = new GlobalPool()
    chunks.forEach((values, c) => {
      addValues(half, values, c === 1)
      if (c % 2 === 0) {
        half.prepareSearch(c)
      }
    })
    for (const needle of NEEDLES) {
      expect(markedCodes(half, needle), needle).toEqual(naiveMarks(ordered, needle))
    }
    // Every value reads back, and each is found by its exact text in its own chunk.
    ordered.flat().forEach((value, code) => expect(pool.value(code)).toBe(value))
    ordered.forEach((values, c) =>
      values.forEach((value) =>
        expect(pool.value(pool.find(c, value)), `${c}: ${value}`).toBe(value)
      )
    )
    expect(prepared.filterBytes()).toBeGreaterThan(0)
  })

  it('searches a Latin-1 pool for an ASCII needle without a lower-cased copy of it', () => {
    const pool = new GlobalPool()
    const values = addValues(pool, ['ZOË Dubois', 'Ærøskøbing', 'İstanbul office', 'plain', 'K9'])
    const chunk = pool.chunks[0]!
    pool.prepareSearch(0)
    for (const needle of ['zo', 'dubois', 'istanbul', 'stanbul', 'k9', 'ain']) {
      expect(markedCodes(pool, needle), needle).toEqual(naiveMarks([values], needle))
    }
    // Only the wide text was lowered; the one-byte text is read as it is.
    expect(chunk.lowered).toBeNull()
    expect(chunk.lowWide?.text).toBe(chunk.text)
    // A needle that is not ASCII reads lower-cased copies.
    for (const needle of ['zoë', 'ærø', 'i̇stanbul']) {
      expect(markedCodes(pool, needle), needle).toEqual(naiveMarks([values], needle))
    }
    expect(chunk.lowered).not.toBeNull()
  })

  it('never matches across the end of one value and the start of the next', () => {
    const pool = new GlobalPool()
    const values = Array.from({ length: 300 }, (_, i) => (i % 2 === 0 ? `left${i}` : 'Right'))
    const { text, starts } = poolOf(values)
    pool.add(text, '', starts)
    expect(markedCodes(pool, `0${POOL_SEPARATOR}ri`)).toEqual([])
    expect(markedCodes(pool, 'ftright')).toEqual([])
    expect(markedCodes(pool, 'right').length).toBe(150)
  })
})

describe('quick search over the index with its filters', () => {
  const records = Array.from({ length: 900 }, (_, i) =>
    makeRecord({
      userId: i % 7 === 0 ? 'Bea@Contoso.example' : `user${i}@contoso.example`,
      environment: WORDS[i % WORDS.length]!,
      fields: {
        Id: `rec-${i}`,
        Note: randomValue(),
        'AdditionalInfo.Detail': i % 5 === 0 ? 'İstanbul office' : randomValue()
      }
    })
  )
  const index = new ColumnIndex()
  // Three appends: three chunks, each with its own pool.
  index.append(records.slice(0, 300))
  index.append(records.slice(300, 650))
  index.append(records.slice(650))

  /** Rows whose core text columns, fields or tags satisfy the search, tested value by value. */
  function naive(text: string): number[] {
    const bound = bindSearch(
      text,
      searchNames(explorerColumns(index.fieldKeyInfo().map((f) => f.key)))
    )
    if (!bound.ok) {
      throw new Error(bound.error.message)
    }
    const rows: number[] = []
    for (let row = 0; row < index.size; row++) {
      const values = [
        ...TEXT_COLUMNS.map((column) => index.valueOf(row, column)),
        ...Object.values(index.gridRow(row).fields),
        ...index.tagsOf(row)
      ].map((v) => v.toLowerCase())
      const matches = bound.search.some((terms) =>
        terms.every((term) => values.some((v) => v.includes(term.text)) !== term.isNegated)
      )
      if (matches) {
        rows.push(row)
      }
    }
    return rows
  }

  function searched(text: string): number[] | null {
    const mask = index.syntaxMask(text)
    return mask ? mask.array() : null
  }

  it.each([
    'finance',
    'FINANCE',
    'bea@contoso',
    'İstanbul',
    'istanbul office',
    '"istanbul office"',
    '"a b"',
    'straße',
    'ærø',
    '-alpha',
    'alpha -beta',
    'alpha OR gamma',
    '-finance OR "x=1"',
    'user12',
    'putapi',
    '"shared_sql_9"',
    '42'
  ])('finds exactly the rows holding %j', (text) => {
    expect(searched(text)).toEqual(naive(text))
  })

  it('leaves the filters and the value rows to the idle worker: a search makes none', () => {
    // (The searches above ran before any preparation.)
    const unprepared = new ColumnIndex()
    unprepared.append(records.slice(0, 300))
    unprepared.append(records.slice(300))
    const bytes = unprepared.typedBytes()
    const mask = unprepared.syntaxMask('istanbul')!
    expect(mask.size()).toBe(naive('istanbul').length)
    expect(unprepared.typedBytes()).toBe(bytes)
    const store = (unprepared as unknown as { store: ColumnStore }).store
    expect(store.madeValueRows(0)).toBeNull()
    expect(store.pool.filterBytes()).toBe(0)
    expect(unprepared.prepareSearch(Infinity)).toBe(true)
    expect(store.madeValueRows(0)).not.toBeNull()
    expect(store.pool.filterBytes()).toBeGreaterThan(0)
  })

  it('gives the same answers once the filters are made while idle', () => {
    expect(index.prepareSearch(1)).toBe(false)
    expect(index.prepareSearch(Infinity)).toBe(true)
    index.setTags([[5, ['Finance-review']]])
    index.forgetTagMasks()
    for (const text of ['finance', 'review', 'alpha OR "x=1"', '-istanbul']) {
      expect(searched(text), text).toEqual(naive(text))
    }
  })

  it('has no answer for an empty search', () => {
    expect(searched('')).toBeNull()
    expect(searched('   ')).toBeNull()
  })
})

describe('valueAt', () => {
  it('finds the value holding an offset from any earlier value, as a search of the whole pool does', () => {
    // Values of 1–40 characters (and some empty: equal starts), end to end.
    const starts = new Uint32Array(500)
    for (let i = 1; i < starts.length; i++) {
      starts[i] = starts[i - 1]! + (rand(5) === 0 ? 0 : 1 + rand(40))
    }
    const total = starts[starts.length - 1]!
    for (let k = 0; k < 2000; k++) {
      const offset = rand(total)
      const holder = upperBound(starts, offset) - 1
      const from = rand(holder + 1)
      expect(valueAt(starts, from, offset), `offset ${offset} from ${from}`).toBe(holder)
    }
    expect(valueAt(starts, 0, 0)).toBe(upperBound(starts, 0) - 1)
    expect(valueAt(starts, 0, total - 1)).toBe(upperBound(starts, total - 1) - 1)
  })
})
