import { describe, expect, it } from 'vitest'

import { unpackChunk } from '../../../shared/cache/packed-chunk'
import { decodeChunk } from '../../../shared/cache/record-chunk'
import { encodeRecordLine } from '../../../shared/export/ndjson-export'
import { testRecord } from '../../../shared/export/test-records'

import { processRecordBatch } from './record-batch'

describe('processRecordBatch on snapshot record lines', () => {
  it('normalizes each line again and packs it, raw text and provenance exactly as the line had them', () => {
    const records = [
      testRecord('11111111-aaaa-4bbb-8ccc-000000000001', { Operation: 'PutConnection' }),
      testRecord('11111111-aaaa-4bbb-8ccc-000000000002', { Note: 'caf\u00e9 \u{1F600}' })
    ]
    records[0]!.raw = records[0]!.raw.replace('{', '{\n  ')
    records[1]!.provenance = {
      source: 'export.csv',
      line: 7,
      rawSha256: 'ab'.repeat(32),
      csvCreationDate: '2026-05-19T13:17:34'
    }
    const output = processRecordBatch({
      source: 'snap.caxsnap',
      origin: 'snapshot',
      csv: null,
      texts: records.map((r) => encodeRecordLine(r).trimEnd()),
      lines: [1, 2],
      pack: true
    })
    expect(output.rejections).toEqual([])
    expect(output.records.ids).toEqual(records.map((r) => r.id))
    const back = output.packed!.flatMap((packed) => {
      const chunk = unpackChunk(packed)
      return decodeChunk(chunk.columns, chunk.body)
    })
    expect(back.map((r) => r.raw)).toEqual(records.map((r) => r.raw))
    expect(back.map((r) => r.provenance)).toEqual([null, records[1]!.provenance])
    expect(back.map((r) => r.operation)).toEqual(['PutConnection', 'PutConnection'])
  })

  it('refuses a line that is not a record line, or whose record no longer normalizes, with its line', () => {
    const good = testRecord('11111111-aaaa-4bbb-8ccc-000000000003')
    const output = processRecordBatch({
      source: 'snap.caxsnap',
      origin: 'snapshot',
      csv: null,
      texts: [
        '{"id":"x"',
        JSON.stringify({ id: 'y', createdAt: '', raw: '{"Operation":"NoId"}', provenance: null }),
        encodeRecordLine(good).trimEnd()
      ],
      lines: [4, 5, 6],
      pack: true
    })
    expect(output.records.ids).toEqual([good.id])
    expect(output.rejections).toEqual([
      expect.objectContaining({
        line: 4,
        reason: expect.stringMatching(/NDJSON line 4: not JSON/)
      }),
      expect.objectContaining({
        line: 5,
        reason: expect.stringMatching(/^record y no longer normalizes: /)
      })
    ])
  })
})
