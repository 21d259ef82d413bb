import { describe, expect, it } from 'vitest'

import { flattenRecord } from '../../../shared/audit/normalize-record'
import { makeRecord } from '../../../shared/audit/test-records'
import type { NormalizedRecord } from '../../../shared/audit'
import { poolOf } from '../db/record-chunk'

import { ColumnIndex } from './column-index'
import type { GlobalPool } from './global-pool'
import { flatObjectParts, jsonCover, maySkipCovered } from './json-cover'
import { emptyQuery } from './query-types'
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

describe('covered JSON texts of a chunk', () => {
  // Values: 0 the text, 1 and 2 its values, 3 another text, 4 unrelated.
  const values = ['{"A":"one","B":"two"}', 'one', 'two', '{"C":"one"}', 'other']
  const { text, starts } = poolOf(values)
  const pool = { text, wide: '', starts }

  it('covers a text whose record holds its values right after it', () => {
    // Row 0: the first text then its values; row 1: the second text then `other` (not its value).
    const chunk = {
      count: 2,
      codes: new Uint16Array([4, 4]),
      pairStart: new Uint32Array([0, 3, 5]),
      pairValue: new Uint16Array([0, 1, 2, 3, 4])
    }
    const cover = jsonCover(chunk, pool, [0])
    expect([...cover.covered]).toEqual([1, 0, 0, 0, 0])
    expect(cover.keys).toBe('a\u0000b\u0000')
  })

  it('does not cover a text one record uses without its values, or a core column uses', () => {
    // Row 1 uses the first text without its values.
    const missing = {
      count: 2,
      codes: new Uint16Array([4, 4]),
      pairStart: new Uint32Array([0, 3, 4]),
      pairValue: new Uint16Array([0, 1, 2, 0])
    }
    expect([...jsonCover(missing, pool, [0]).covered]).toEqual([0, 0, 0, 0, 0])
    // Its values in the next record, not its own.
    const next = {
      count: 2,
      codes: new Uint16Array([4, 4]),
      pairStart: new Uint32Array([0, 1, 3]),
      pairValue: new Uint16Array([0, 1, 2])
    }
    expect([...jsonCover(next, pool, [0]).covered]).toEqual([0, 0, 0, 0, 0])
    // Its values in another order.
    const swapped = {
      count: 1,
      codes: new Uint16Array([4]),
      pairStart: new Uint32Array([0, 3]),
      pairValue: new Uint16Array([0, 2, 1])
    }
    expect([...jsonCover(swapped, pool, [0]).covered]).toEqual([0, 0, 0, 0, 0])
    // A searched core column holds it.
    const core = {
      count: 1,
      codes: new Uint16Array([0]),
      pairStart: new Uint32Array([0, 3]),
      pairValue: new Uint16Array([0, 1, 2])
    }
    expect([...jsonCover(core, pool, [0]).covered]).toEqual([0, 0, 0, 0, 0])
    // …unless that column is not searched.
    expect([...jsonCover(core, pool, []).covered]).toEqual([1, 0, 0, 0, 0])
  })

  it('lets a needle skip them only when it cannot join a key or a value to its neighbours', () => {
    expect(maySkipCovered('a7', 'actionname\u0000')).toBe(true)
    expect(maySkipCovered('action', 'actionname\u0000')).toBe(false)
    for (const needle of ['"', 'i:', 'x,y', '{', '}', '']) {
      expect(maySkipCovered(needle, ''), needle).toBe(false)
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
    const coveredBlocks = pool.chunks.reduce(
      (n, chunk) => n + (chunk.filter?.covered?.reduce((a, b) => a + b, 0) ?? 0),
      0
    )
    expect(coveredBlocks).toBeGreaterThan(40)
    expect(index.run({ ...emptyQuery(), quickSearch: 'a71' }).rows.length).toBeGreaterThan(10)
    expect(index.run({ ...emptyQuery(), quickSearch: 'lonely' }).rows.length).toBe(4)
  })
})
