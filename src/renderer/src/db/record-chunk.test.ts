import { describe, expect, it } from 'vitest'

import { makeRecord } from '../../../shared/audit/test-records'

import {
  bodyRaw,
  decodeChunk,
  encodeChunk,
  encodeChunks,
  CHUNK_MAX_RECORDS,
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
