import { describe, expect, it } from 'vitest'

import { unpackChunk } from '../../../shared/cache/packed-chunk'
import { decodeChunk } from '../../../shared/cache/record-chunk'
import { encodeRecordLine } from '../../../shared/export/ndjson-export'
import { testRecord } from '../../../shared/export/test-records'

import { processRecordBatch, type RecordBatchOutput } from './record-batch'

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

  it('reads record lines given as bytes as a decoder would, batch after batch', () => {
    const lineOf = (i: number): string =>
      encodeRecordLine(
        testRecord(`11111111-aaaa-4bbb-8ccc-${String(i).padStart(12, '0')}`, {
          Note: i % 3 === 0 ? `caf\u00e9 \u{1F600} ${i}` : `plain ${'x'.repeat(i % 40)}`
        })
      ).trimEnd()
    const utf8 = new TextEncoder()
    // A byte-order mark, CRLF and LF endings, blank lines, and a byte that is not UTF-8.
    const batchOf = (from: number, count: number): Uint8Array => {
      const parts: Uint8Array[] = [new Uint8Array([0xef, 0xbb, 0xbf])]
      for (let i = from; i < from + count; i++) {
        parts.push(utf8.encode(lineOf(i)), utf8.encode(i % 2 === 0 ? '\r\n' : '\n\n'))
      }
      parts.push(utf8.encode('{"id":"broken \u00e9'), new Uint8Array([0xff]), utf8.encode('"}\r\n'))
      return new Uint8Array(Buffer.concat(parts))
    }
    // What the bytes say, decoded whole (as before) and cut into lines.
    const expected = (bytes: Uint8Array, firstLine: number): RecordBatchOutput => {
      const texts: string[] = []
      const lines: number[] = []
      new TextDecoder()
        .decode(bytes)
        .split('\n')
        .forEach((text, k) => {
          const line = text.endsWith('\r') ? text.slice(0, -1) : text
          if (line !== '') {
            texts.push(line)
            lines.push(firstLine + k)
          }
        })
      return processRecordBatch({
        source: 's',
        origin: 'snapshot',
        csv: null,
        texts,
        lines,
        pack: true
      })
    }
    // Large, then small, then larger batches: the raw texts' buffer kept from one batch serves
    // the next or is outgrown.
    for (const [from, count, firstLine] of [
      [0, 300, 1],
      [300, 20, 900],
      [320, 700, 1000]
    ] as const) {
      const bytes = batchOf(from, count)
      const output = processRecordBatch({
        source: 's',
        origin: 'snapshot',
        csv: null,
        texts: [],
        lines: [],
        bytes,
        firstLine,
        pack: true
      })
      const oracle = expected(bytes, firstLine)
      expect(output.records.ids).toHaveLength(count)
      expect(output.records.ids).toEqual(oracle.records.ids)
      expect(output.rejections).toEqual(oracle.rejections)
      expect(output.rejections).toEqual([
        // One line a record after CRLF, two after LF LF (a blank line), then the broken one.
        expect.objectContaining({
          line: firstLine + Math.floor(count * 1.5),
          code: 'malformed-json'
        })
      ])
      expect(output.packed).toEqual(oracle.packed)
      const back = output.packed!.flatMap((packed) => {
        const chunk = unpackChunk(packed)
        return decodeChunk(chunk.columns, chunk.body)
      })
      expect(back.map((r) => r.id)).toEqual(oracle.records.ids)
    }
  })
})
