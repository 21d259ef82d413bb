import { describe, expect, it } from 'vitest'

import { flattenRecord } from '../../../shared/audit/normalize-record'
import { makeRecord } from '../../../shared/audit/test-records'
import type { NormalizedRecord } from '../../../shared/audit'
import { poolOf, poolSlice, splitPool } from '../db/record-chunk'

import { ColumnIndex } from './column-index'
import { GlobalPool } from './global-pool'
import type { TrigramFilter } from './pool-trigrams'
import { droppedText, flatObjectParts, isInsideOnePart, jsonCover, textWithout } from './json-cover'
import { emptyQuery, type ColumnFilter, type SortSpec } from './query-types'
import { chunkOf } from './test-support/cover-source'
import { heapStringsStartingWith } from './test-support/heap-strings'
import { ColumnIndex as LegacyIndex } from './test-support/legacy-column-index'

// Skipping covered JSON texts must never change which records an any-column search finds:
// every answer is compared with the engine the cache replaced, which reads every value.

function parts(text: string): string[][] | null {
  const found = flatObjectParts(text, 0, text.length)
  if (found === null) {
    return null
  }
  const pairs: string[][] = []
  for (let k = 0; k < found.length; k += 4) {
    pairs.push([text.slice(found[k]!, found[k + 1]!), text.slice(found[k + 2]!, found[k + 3]!)])
  }
  return pairs
}

describe('flat JSON objects', () => {
  it('reads the keys and values of a compact flat object of strings', () => {
    expect(parts('{"ActionName":"PutApi","ResourceId":"x:{y},z"}')).toEqual([
      ['ActionName', 'PutApi'],
      ['ResourceId', 'x:{y},z']
    ])
    expect(parts('{"k":""}')).toEqual([['k', '']])
  })

  it('refuses anything else', () => {
    for (const text of [
      '{}',
      '{"k":1}',
      '{"k":"v" }',
      '{ "k":"v"}',
      '{"k":"v",}',
      '{"k":"v"}x',
      '{"k":{"n":"v"}}',
      '{"k":["v"]}',
      '{"k":"v""}',
      '{"k""v"}',
      '["k","v"]',
      '{"k":"v","n":2}',
      '{"k":"v"'
    ]) {
      expect(parts(text), text).toBeNull()
    }
  })
})

/** How many values lie in the blocks a search skips (every value of them dropped). */
function valuesInCoveredBlocks(filter: TrigramFilter): number {
  let values = 0
  filter.covered?.forEach((isCovered, b) => {
    values += isCovered * (filter.blockStarts[b + 1]! - filter.blockStarts[b]!)
  })
  return values
}

describe('covered JSON texts of a chunk', () => {
  // Values: 0 the text, 1 and 2 its values, 3 another text, 4 unrelated.
  const values = ['{"A":"one","B":"two"}', 'one', 'two', '{"C":"one"}', 'other']
  const { text, starts } = poolOf(values)
  const pool = { text, wide: '', starts }

  it('covers a text whose record holds its values right after it', () => {
    // Row 0: the first text then its values; row 1: the second text then `other` (not its value).
    const chunk = chunkOf(
      [4, 4],
      [
        [0, 1, 2],
        [3, 4]
      ]
    )
    const cover = jsonCover(chunk, pool, [0])
    expect([...cover.covered]).toEqual([1, 0, 0, 0, 0])
    expect(cover.dropped!.layoutKeys).toEqual(['a\u0000b\u0000'])
  })

  it('rebuilds each covered text from its keys and its values', () => {
    const chunk = chunkOf(
      [4, 4],
      [
        [0, 1, 2],
        [3, 1]
      ]
    )
    const { dropped } = jsonCover(chunk, pool, [0])
    expect([...dropped!.codes]).toEqual([0, 3])
    expect(dropped!.layouts).toEqual([['A', 'B'], ['C']])
    const valueOf = (code: number): string => values[code]!
    expect(droppedText(dropped!, 0, valueOf)).toBe(values[0])
    expect(droppedText(dropped!, 1, valueOf)).toBe(values[3])
  })

  it('drops values from a pool text (ASCII or not), every other value and the wide text reading the same', () => {
    let state = 5
    const rand = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff
      return state % n
    }
    for (let round = 0; round < 20; round++) {
      // Half the rounds hold a Latin-1 value in the one-byte text (not ASCII: copied apart).
      const latin1 = round % 2 === 1
      const given = Array.from({ length: 1 + rand(60) }, (_, i) =>
        rand(9) === 0
          ? `wide-${i}-İ`
          : i === 3
            ? ''
            : latin1 && rand(5) === 0
              ? `café-${i}`
              : `v${i}-${'x'.repeat(rand(30))}`
      )
      const split = splitPool(given)
      const ordered = [...given]
      split.order.forEach((to, from) => (ordered[to] = given[from]!))
      const narrowCount = ordered.filter((v) => !v.includes('İ')).length
      const codes = Uint32Array.from(
        Array.from({ length: narrowCount }, (_, i) => i).filter(() => rand(3) === 0)
      )
      const after = textWithout(split.pool, split.starts, codes)
      const read = (code: number): string =>
        poolSlice(after.text, split.widePool, after.starts[code]!, after.starts[code + 1]! - 1)
      ordered.forEach((value, code) =>
        expect(read(code), `${round}: ${code}`).toBe(codes.includes(code) ? '' : value)
      )
      const removed = [...codes].reduce((n, code) => n + ordered[code]!.length, 0)
      expect(after.text.length).toBe(split.pool.length - removed)
      // Exactly the pool a chunk without those values' characters would have.
      const kept = ordered.slice(0, narrowCount).map((v, code) => (codes.includes(code) ? '' : v))
      expect(after.text).toBe(kept.length === 0 ? '' : kept.join('\0') + '\0')
    }
  })

  it('keeps a pool whose covered texts are dropped reading, finding and marking as before', () => {
    // Two texts and their values, then an empty value after them (found by its text).
    const given = ['{"A":"one","B":"two"}', 'one', 'two', '{"C":"one"}', '', 'x:{"A"']
    const { text: whole, starts: wholeStarts } = poolOf(given)
    const chunk = chunkOf(
      [5, 5],
      [
        [0, 1, 2],
        [3, 1]
      ]
    )
    const dropped = new GlobalPool()
    dropped.add(whole, '', wholeStarts)
    dropped.prepareSearch(0, jsonCover(chunk, dropped.chunks[0]!, [0]))
    expect(dropped.chunks[0]!.text.length).toBe(whole.length - given[0]!.length - given[3]!.length)
    given.forEach((value, code) => {
      expect(dropped.value(code)).toBe(value)
      expect(dropped.flatValue(code)).toBe(value)
    })
    expect(dropped.find(0, '')).toBe(4)
    // Every needle marks what a plain substring test over the values finds…
    for (const needle of ['one', '":"', 'a":"one', '{', 'x:', 'b"', 'c', '"}']) {
      const naive = given.flatMap((value, code) =>
        value.toLowerCase().includes(needle) ? [code] : []
      )
      expect(dropped.mark(needle)[0], needle).toEqual(naive)
    }
    // …but an any-column search, which finds a record through one of its values, leaves a text
    // holding the needle in a value unmarked, and marks it for a needle in a key.
    expect(dropped.mark('one', true)[0]).toEqual([1])
    expect(dropped.mark('b', true)[0]).toEqual([0])
    expect(dropped.mark('a":"o', true)[0]).toEqual([0])
  })

  it('reads no block of dropped texts but marks them as the values would be', () => {
    // 300 texts first (whole blocks of them), then their values; record i: text i, value i.
    const texts = Array.from({ length: 300 }, (_, i) => `{"Key":"value-${i}"}`)
    const given = [...texts, ...texts.map((_, i) => `value-${i}`), 'other']
    const { text: whole, starts: wholeStarts } = poolOf(given)
    const chunk = chunkOf(
      texts.map(() => given.length - 1),
      texts.map((_, i) => [i, 300 + i])
    )
    const dropped = new GlobalPool()
    dropped.add(whole, '', wholeStarts)
    dropped.prepareSearch(0, jsonCover(chunk, dropped.chunks[0]!, [0]))
    // The 300 texts make one block of their own (a run of covered values), skipped whole.
    expect(valuesInCoveredBlocks(dropped.chunks[0]!.filter!)).toBe(300)
    for (const needle of ['', 'value-12', '"value-12"', 'key', 'e']) {
      const naive = given.flatMap((value, code) =>
        value.toLowerCase().includes(needle) ? [code] : []
      )
      expect(dropped.mark(needle)[0], needle).toEqual(naive)
    }
    // Any column: a key finds every text; a value, only the values (their records hold them).
    expect(dropped.mark('key', true)[0]).toEqual(texts.map((_, i) => i))
    expect(dropped.mark('value-12', true)[0]).toEqual(
      [12, ...Array.from({ length: 10 }, (_, i) => 120 + i)].map((i) => 300 + i)
    )
  })

  it('marks the dropped texts holding a needle that spans keys and values, as a plain test does', () => {
    // Texts of random keys and values (values may hold `{}:,`, as a URL does), each record
    // holding its text then its values; needles cut from the texts across their joins.
    let state = 11
    const rand = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff
      return state % n
    }
    const piece = (alphabet: string): string =>
      Array.from({ length: 1 + rand(6) }, () => alphabet[rand(alphabet.length)]!).join('')
    const records = Array.from({ length: 400 }, () =>
      Array.from({ length: 1 + rand(3) }, (_, k) => [
        ['Name', 'Kind', 'ÉTAT', 'url'][(k + rand(2)) % 4]!,
        piece('abAB:,{}é7')
      ])
    )
    const texts = records.map(
      (pairs) => `{${pairs.map(([key, value]) => `"${key}":"${value}"`).join(',')}}`
    )
    const given = [...new Set([...texts, ...records.flatMap((pairs) => pairs.map((p) => p[1]!))])]
    const codeOf = new Map(given.map((value, code) => [value, code]))
    const { text: whole, starts: wholeStarts } = poolOf(given)
    const chunk = chunkOf(
      records.map(() => 0),
      records.map((pairs, i) => [codeOf.get(texts[i]!)!, ...pairs.map((p) => codeOf.get(p[1]!)!)])
    )
    const dropped = new GlobalPool()
    dropped.add(whole, '', wholeStarts)
    dropped.prepareSearch(0, jsonCover(chunk, dropped.chunks[0]!, [0]))
    expect(dropped.chunks[0]!.dropped!.codes.length).toBeGreaterThan(300)
    const needles = [
      'name":"a',
      'a","kind',
      '":"ab',
      'b"}',
      'état":"',
      'ÉTAT":"É',
      '7,b',
      '{"url":"{'
    ]
    for (let n = 0; n < 150; n++) {
      const text = texts[rand(texts.length)]!
      const from = rand(text.length)
      needles.push(text.slice(from, from + 2 + rand(12)))
    }
    for (const typed of needles) {
      const needle = typed.toLowerCase()
      const naive = given.flatMap((value, code) =>
        value.toLowerCase().includes(needle) ? [code] : []
      )
      expect(dropped.mark(needle)[0], needle).toEqual(naive)
      // Any column: the same texts when the needle may span a join.
      if (!isInsideOnePart(needle)) {
        expect(dropped.mark(needle, true)[0], needle).toEqual(naive)
      }
    }
  })

  it('keeps nothing of the pool text it drops', async () => {
    const pool = new GlobalPool()
    const first = '{"AnAuditKeyLongerThanASlice":"one"}'
    ;(() => {
      // Made here so that no reference to the old text outlives this function.
      const { text, starts } = poolOf([first, 'one', `other-${'q'.repeat(100_000)}`])
      pool.add(text, '', starts)
      pool.prepareSearch(0, jsonCover(chunkOf([2], [[0, 1]]), pool.chunks[0]!, [0]))
    })()
    expect(pool.value(0)).toBe(first)
    // A heap snapshot collects garbage first: the old text (the covered one, then the others) is
    // gone, not kept alive by a slice of it such as a key of the covered text.
    const nodes = await heapStringsStartingWith(first)
    expect(nodes).toEqual([])
  })

  it('compares keys and values character by character, in an ASCII pool or a Latin-1 one', () => {
    // Texts 0 and 5 differ from their records' values by one character; 3 matches them, and
    // 7 follows 3's keys but one of them differs by a character (another layout).
    for (const extra of ['plain', 'café']) {
      const texts = [
        '{"A":"one","B":"twO"}',
        'one',
        'two',
        '{"A":"one","B":"two"}',
        extra,
        '{"A":"onE"}',
        'oNe',
        '{"A":"one","b":"two"}'
      ]
      const latin = poolOf(texts)
      const chunk = chunkOf(
        [4, 4, 4, 4],
        [
          [0, 1, 2],
          [3, 1, 2],
          [5, 6],
          [7, 1, 2]
        ]
      )
      const cover = jsonCover(chunk, { text: latin.text, wide: '', starts: latin.starts }, [0])
      expect([...cover.covered], extra).toEqual([0, 0, 0, 1, 0, 0, 0, 1])
      expect(cover.dropped!.layouts, extra).toEqual([
        ['A', 'B'],
        ['A', 'b']
      ])
    }
  })

  it('does not cover a text one record uses without its values, or a core column uses', () => {
    // Row 1 uses the first text without its values.
    const missing = chunkOf([4, 4], [[0, 1, 2], [0]])
    expect([...jsonCover(missing, pool, [0]).covered]).toEqual([0, 0, 0, 0, 0])
    // Its values in the next record, not its own.
    const next = chunkOf([4, 4], [[0], [1, 2]])
    expect([...jsonCover(next, pool, [0]).covered]).toEqual([0, 0, 0, 0, 0])
    // Its values in another order.
    const swapped = chunkOf([4], [[0, 2, 1]])
    expect([...jsonCover(swapped, pool, [0]).covered]).toEqual([0, 0, 0, 0, 0])
    // A searched core column holds it.
    const core = chunkOf([0], [[0, 1, 2]])
    expect([...jsonCover(core, pool, [0]).covered]).toEqual([0, 0, 0, 0, 0])
    // …unless that column is not searched.
    expect([...jsonCover(core, pool, []).covered]).toEqual([1, 0, 0, 0, 0])
  })

  it('reads a needle as inside one key or value only when it cannot join one to its neighbours', () => {
    expect(isInsideOnePart('a7')).toBe(true)
    expect(isInsideOnePart('action')).toBe(true)
    for (const needle of ['"', 'i:', 'x,y', '{', '}', '']) {
      expect(isInsideOnePart(needle), needle).toBe(false)
    }
  })
})

describe('an any-column search with covered JSON texts', () => {
  const T0 = Date.UTC(2026, 4, 1)
  const flattened = (source: Record<string, unknown>): Record<string, string> =>
    flattenRecord(source)
  const records: NormalizedRecord[] = []
  const add = (fields: Record<string, string>, objectId = `obj-${records.length}`): void => {
    const id = `rec-${records.length}`
    records.push(
      makeRecord({
        id,
        createdAtMs: T0 + records.length * 1000,
        objectId,
        fields: { Id: id, ...fields }
      })
    )
  }
  for (let i = 0; i < 600; i++) {
    // Realistic: the text and its values, as the normalizer flattens them.
    const info = JSON.stringify({
      EnvironmentName: `env-${i % 7}-a7${i}`,
      ActionName: i % 3 === 0 ? 'PutApi' : 'PutConnection',
      ResourceId: `res-${(i * 7919) % 1000}`,
      UserAgent: 'Mozilla/5.0 PowerApps/3.24'
    })
    add(flattened({ Operation: 'PutConnection', AdditionalInfo: info }))
    // Each odd record on its own among covered texts, so a block that wrongly took it for covered
    // would be skipped whole.
    const odd = i % 30 === 0 ? (i / 30) % 6 : -1
    if (odd === 0) {
      // A text alone: no values after it (a hostile or hand-made record).
      add({ AdditionalInfo: `{"Orphan":"lonely-${i}-zq"}` })
    } else if (odd === 1) {
      // A text whose "values" are not its own.
      add({ AdditionalInfo: `{"K":"theirs-${i}-zq"}`, Other: `mine-${i}` })
    } else if (odd === 2) {
      // The same text as a core column of one record and a field of another.
      const shared = `{"Core":"coreval-${i}-zq"}`
      add({ Note: 'x' }, shared)
      add(flattened({ AdditionalInfo: shared }))
    } else if (odd === 3) {
      // Escapes, numbers, nesting and repeated keys, as the normalizer flattens them.
      add(flattened({ AdditionalInfo: `{"Quote":"say \\"hi-${i}\\" ok","Tab":"a\\tb"}` }))
    } else if (odd === 4) {
      add(flattened({ AdditionalInfo: `{"Count":${i},"Flag":true,"Deep":{"In":"nest-${i}"}}` }))
    } else if (odd === 5) {
      add(flattened({ AdditionalInfo: `{"Dup":"first-${i}","Dup":"second-${i}"}` }))
    }
  }
  const index = new ColumnIndex()
  index.append(records)
  index.prepareSearch(Number.POSITIVE_INFINITY)
  const legacy = new LegacyIndex()
  legacy.append(records)

  const ids = (rows: Uint32Array, idOf: (row: number) => string): string[] =>
    Array.from(rows, idOf).sort()

  it('sorts and filters the dropped texts exactly as the engine it replaced', () => {
    const byField = (sort: 'asc' | 'desc'): { sort: SortSpec[] } => ({
      sort: [{ colId: 'f:AdditionalInfo', sort }]
    })
    for (const sort of ['asc', 'desc'] as const) {
      const query = { ...emptyQuery(), ...byField(sort) }
      expect(Array.from(index.run(query).rows, (r) => index.idOf(r))).toEqual(
        Array.from(legacy.run(query).rows, (r) => legacy.idOf(r))
      )
    }
    for (const filter of ['actionname":"putapi', 'putapi', '{"k"', 'lonely']) {
      const query = {
        ...emptyQuery(),
        columnFilters: {
          'f:AdditionalInfo': { filterType: 'text', type: 'contains', filter } as ColumnFilter
        }
      }
      expect(
        ids(index.run(query).rows, (r) => index.idOf(r)),
        filter
      ).toEqual(ids(legacy.run(query).rows, (r) => legacy.idOf(r)))
    }
    // A stack by the field shows each text with its records.
    const stack = index.stack(emptyQuery(), ['f:AdditionalInfo'], 'value-asc', 10_000)
    const expected = new Map<string, number>()
    for (const record of records) {
      const text = record.fields['AdditionalInfo'] ?? '(empty)'
      expected.set(text, (expected.get(text) ?? 0) + 1)
    }
    expect(new Map(stack.entries.map((e) => [e.values[0]!, e.count]))).toEqual(expected)
  })

  it('finds exactly the records the engine it replaced finds', () => {
    for (const needle of [
      'a7',
      'a71',
      'putapi',
      'powerapps/3.24',
      'env-3',
      // In keys only, or across a key and its value.
      'actionname',
      'orphan',
      'core',
      'name":"put',
      '":"',
      ',"',
      ':',
      // In texts whose values are missing, not theirs, or in a core column.
      'lonely',
      'theirs-',
      'coreval',
      'zq',
      // Escapes and values that are not strings.
      'hi-',
      '\\"hi',
      '\\t',
      'count":1',
      'true',
      'nest-',
      'first-',
      'second-',
      'e"',
      'x'
    ]) {
      // Quoted (with `"` and `\\` escaped) where the search syntax would read it otherwise.
      const quoted = /[\s":\\-]/.test(needle)
        ? `"${needle.replace(/[\\"]/g, (c) => `\\${c}`)}"`
        : needle
      const query = { ...emptyQuery(), quickSearch: quoted }
      // (The engine it replaced had no search syntax: it reads the needle as it is.)
      const plain = { ...emptyQuery(), quickSearch: needle }
      expect(
        ids(index.run(query).rows, (r) => index.idOf(r)),
        needle
      ).toEqual(ids(legacy.run(plain).rows, (r) => legacy.idOf(r)))
    }
    // The skip matters: blocks of covered texts were made, and a needle in them finds their
    // records.
    const { pool } = (index as unknown as { store: { pool: GlobalPool } }).store
    const skipped = pool.chunks.reduce(
      (n, chunk) => n + (chunk.filter ? valuesInCoveredBlocks(chunk.filter) : 0),
      0
    )
    const dropped = pool.chunks.reduce((n, chunk) => n + (chunk.dropped?.codes.length ?? 0), 0)
    expect(skipped).toBeGreaterThan(dropped / 2)
    // The pool no longer holds the covered texts, yet every record reads as it was stored.
    const held = pool.chunks.map((chunk) => chunk.text).join('')
    expect(held).not.toContain('"ActionName":"PutApi"')
    expect(held).toContain('lonely-0-zq')
    records.forEach((record, row) => {
      expect(index.valueOf(row, 'f:AdditionalInfo'), record.id).toBe(
        record.fields['AdditionalInfo'] ?? ''
      )
      expect(index.gridRow(row).fields, record.id).toEqual(record.fields)
    })
    expect(index.run({ ...emptyQuery(), quickSearch: 'a71' }).rows.length).toBeGreaterThan(10)
    expect(index.run({ ...emptyQuery(), quickSearch: 'lonely' }).rows.length).toBe(4)
  })
})
