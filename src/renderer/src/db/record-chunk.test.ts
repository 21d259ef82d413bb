import { describe, expect, it } from 'vitest'

import { makeRecord } from '../../../shared/audit/test-records'

import {
  bodyRaw,
  decodeChunk,
  encodeChunk,
  encodeChunks,
  poolValue,
  CHUNK_MAX_RECORDS,
  COLUMN_SLOT,
  STORED_TEXT_COLUMNS,
  type BodyChunk
} from './record-chunk'

describe('the chunk codec', () => {
  it('gives every record back exactly, whatever its values', () => {
    const records = [
      makeRecord({ id: 'a', recordType: null, userType: null, succeeded: null }),
      makeRecord({ id: 'b', succeeded: false, isConnectorEvent: false, warnings: ['odd key'] }),
      makeRecord({
        id: 'c',
        fields: {},
        raw: '{"Id":"c","Név":"İstanbul \\u0000 ✓"}',
        userId: 'dé@contoso.example',
        provenance: { source: 'a.csv', line: 7, rawSha256: 'ab'.repeat(32), csvCreationDate: null }
      }),
      makeRecord({ id: 'd', resource: '', objectId: 'only-object', fields: { 'x\u0000y': '' } })
    ]
    // A creation time the normalizer did not write itself is kept as it was.
    records[1]!.createdAt = '2026-05-19T12:00:00Z'
    const chunk = encodeChunk(records)
    expect(decodeChunk(chunk.columns, chunk.body)).toEqual(records)
    expect(chunk.ids.ids).toEqual(['a', 'b', 'c', 'd'])
  })

  it('lays each pool out by where its values were first used: column by column, then field by field', () => {
    // Records alternate their kinds of values, as a real batch does: an Id, a user, a JSON text…
    const records = Array.from({ length: 40 }, (_, i) =>
      makeRecord({
        id: `id-${i}`,
        userId: `user${i % 7}@contoso.example`,
        fields: {
          AdditionalInfo: `{"n":${i},"who":"Zoë ${i % 3}"}`,
          'AdditionalInfo.n': String(i),
          Url: `https://example.test/${i}`
        }
      })
    )
    const { columns } = encodeChunk(records)
    expect(decodeChunk(columns, encodeChunk(records).body)).toEqual(records)
    // Where each code was first used, in record order: a column's slot, else after every
    // column, its field key.
    const firstUse = new Map<number, number>()
    const count = columns.count
    for (let i = 0; i < count; i++) {
      STORED_TEXT_COLUMNS.forEach((_, slot) => {
        const code = columns.codes[slot * count + i]!
        if (!firstUse.has(code)) firstUse.set(code, slot)
      })
      for (let p = columns.pairStart[i]!; p < columns.pairStart[i + 1]!; p++) {
        const code = columns.pairValue[p]!
        if (!firstUse.has(code))
          firstUse.set(code, STORED_TEXT_COLUMNS.length + columns.pairKey[p]!)
      }
    }
    // The one-byte pool, then the wide one (the JSON with "ë" is wide): each in group order.
    const narrowCount = columns.poolStarts.findIndex((start) => start >= columns.pool.length)
    for (const [from, to] of [
      [0, narrowCount],
      [narrowCount, columns.poolStarts.length - 1]
    ] as const) {
      const groups = Array.from({ length: to - from }, (_, k) => firstUse.get(from + k)!)
      expect(groups).toEqual([...groups].sort((a, b) => a - b))
    }
    // Record Ids first, then the users after the other columns' values; and within a group, in
    // order of first sight.
    expect(poolValue(columns, 0)).toBe('id-0')
    expect(poolValue(columns, 1)).toBe('id-1')
    const users = Array.from({ length: narrowCount }, (_, code) => poolValue(columns, code)).filter(
      (value) => value.startsWith('user')
    )
    expect(users).toEqual(Array.from({ length: 7 }, (_, i) => `user${i}@contoso.example`))
    expect(firstUse.get(columns.codes[COLUMN_SLOT.userId * count]!)).toBe(COLUMN_SLOT.userId)
  })

  it('splits big batches into chunks of at most CHUNK_MAX_RECORDS', () => {
    const records = Array.from({ length: CHUNK_MAX_RECORDS + 3 }, () => makeRecord())
    const chunks = encodeChunks(records)
    expect(chunks.map((c) => c.columns.count)).toEqual([CHUNK_MAX_RECORDS, 3])
    expect(chunks.flatMap((c) => decodeChunk(c.columns, c.body))).toEqual(records)
  })

  it('reads bodies of the earlier layout (one string and one object per record)', () => {
    const records = [
      makeRecord({ id: 'a', raw: '{"Id":"a"}' }),
      makeRecord({
        id: 'b',
        raw: '{"Id":"b","X":"é"}',
        provenance: { source: 'b.csv', line: 3, rawSha256: 'cd'.repeat(32), csvCreationDate: 'x' }
      })
    ]
    const chunk = encodeChunk(records)
    expect(chunk.body.raw).toBeUndefined()
    const earlier: BodyChunk = {
      n: 0,
      raw: records.map((r) => r.raw),
      provenance: records.map((r) => r.provenance),
      warnings: {}
    }
    expect(decodeChunk(chunk.columns, earlier)).toEqual(records)
    expect(bodyRaw(earlier, 1)).toBe('{"Id":"b","X":"é"}')
    expect(bodyRaw(chunk.body, 1)).toBe('{"Id":"b","X":"é"}')
  })
})
