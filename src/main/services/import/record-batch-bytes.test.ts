import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

import { describe, expect, it } from 'vitest'

import { unpackChunk } from '../../../shared/cache/packed-chunk'
import { bodyProvenance, bodyRaw } from '../../../shared/cache/record-chunk'
import { decodeRecords } from '../store/encoded-records'

import { CsvByteRows } from './csv-byte-rows'
import type { CsvByteBatch } from './csv-byte-rows'
import { detectFormat } from './detect-format'
import { processRecordBatch } from './record-batch'
import type { CsvCellMap, RecordBatchOutput } from './record-batch'

/**
 * The CSV rows of a batch read from bytes (csv-byte-rows.ts, csv-row-cells.ts: the cells read
 * and the raw text escaped in one pass, spliced into the stored line) must give exactly what the
 * same rows read as text give: the same stored bytes, hashes, rejections and hours.
 */

const fixture = (name: string): Buffer =>
  readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)))

/** Both ways over the same file: bytes batches, and the same rows decoded as texts. */
function bothWays(
  file: Buffer,
  pack = false
): { fromBytes: RecordBatchOutput; fromText: RecordBatchOutput } {
  const detected = detectFormat(file.toString('utf8'))
  if (detected.csv === null) {
    throw new Error('not a CSV')
  }
  const csv: CsvCellMap = {
    auditData: detected.csv.auditData,
    recordId: detected.csv.recordId,
    creationDate: detected.csv.creationDate,
    headerLength: detected.csv.header.length
  }
  const cutter = new CsvByteRows({ maxRecordChars: 1_000_000, batchSize: 10_000 })
  const batches: CsvByteBatch[] = [...cutter.push(file), ...cutter.end()]
  expect(batches).toHaveLength(1)
  const batch = batches[0] as CsvByteBatch
  const bytes = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength)
  const texts = batch.lines.map((_, k) =>
    bytes.toString('utf8', batch.spans[2 * k], batch.spans[2 * k + 1])
  )
  const base = { source: 'x.csv', csv, lines: batch.lines, ...(pack ? { pack: true } : {}) }
  return {
    fromText: processRecordBatch({ ...base, texts }),
    // The bytes path last: the batch's arrays are read, not changed, but say so.
    fromBytes: processRecordBatch({
      ...base,
      texts: [],
      rows: { bytes: batch.bytes, spans: batch.spans }
    })
  }
}

function expectSame(fromBytes: RecordBatchOutput, fromText: RecordBatchOutput): void {
  expect(Buffer.from(fromBytes.records.ndjson).toString('utf8')).toBe(
    Buffer.from(fromText.records.ndjson).toString('utf8')
  )
  expect(fromBytes.records.ids).toEqual(fromText.records.ids)
  expect(fromBytes.records.offsets).toEqual(fromText.records.offsets)
  expect(fromBytes.hashes).toEqual(fromText.hashes)
  expect(fromBytes.rejections).toEqual(fromText.rejections)
  expect(fromBytes.hours).toEqual(fromText.hours)
}

const HEADER = 'RecordId,CreationDate,RecordType,Operation,UserId,AuditData,Extra\r\n'

function auditJson(id: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    Id: id,
    CreationTime: '2026-05-19T13:17:34',
    Operation: 'PutConnection',
    RecordType: 187,
    UserId: 'zoë.müller@contoso.example',
    ...extra
  })
}

const quoted = (text: string): string => `"${text.replaceAll('"', '""')}"`

describe('processRecordBatch: CSV rows from bytes read as rows from text', () => {
  it('the fixtures: every layout, the same stored bytes', () => {
    for (const name of [
      'purview-current.csv',
      'purview-classic.csv',
      'search-ual-extra-columns.csv',
      'search-ual-typed.csv',
      'truncated.csv'
    ]) {
      const { fromBytes, fromText } = bothWays(fixture(name))
      expect(fromBytes.records.ids.length + fromBytes.rejections.length).toBeGreaterThan(0)
      expectSame(fromBytes, fromText)
    }
  })

  it('backslashes, control characters, pretty-printed JSON, non-ASCII and emoji', () => {
    const pretty = JSON.stringify(JSON.parse(auditJson('pretty')), null, 2).replaceAll('\n', '\r\n')
    const rows = [
      `a,5/19/2026 1:17:34 PM,187,Op,u,${quoted(auditJson('a', { Path: 'C:\\temp\\"x"', Tab: 'a\tb', Nl: 'x\ny', Ctl: '\u0001\u001f' }))},z`,
      `"b""q",5/19/2026 1:17:34 PM,187,Op,u,${quoted(auditJson('b', { Name: 'Zoë 😀 Ærøskøbing €', Sep: '\u2028' }))},`,
      `c,"5/19/2026, 1:17 PM",187,Op,u,${quoted(pretty)}`,
      // No Id in AuditData: the RecordId column (quoted, with a doubled quote) fills it in.
      `"d""1",5/19/2026,187,Op,u,${quoted(JSON.stringify({ CreationTime: '2026-05-19T13:17:34', Operation: 'X' }))},`,
      // AuditData unquoted (no commas in it), and a relaxed quote after a closing one.
      `e,5/19/2026,187,Op,u,{"Id":"e"},x`,
      `f,5/19/2026,187,Op,u,"{""Id"":""f"",""CreationTime"":""2026-05-19T13:17:34""}"tail,x`,
      // Refusals: a short row, an empty AuditData, blanks, not JSON, a bad date.
      'g,5/19/2026,187',
      'h,5/19/2026,187,Op,u,"",x',
      'i,5/19/2026,187,Op,u,   ,x',
      ',,,,,,',
      'j,5/19/2026,187,Op,u,"{not json}",x',
      `k,5/19/2026,187,Op,u,${quoted(JSON.stringify({ Id: 'k', CreationTime: 'soon' }))},x`,
      // A repeat of an earlier row.
      `a,5/19/2026 1:17:34 PM,187,Op,u,${quoted(auditJson('a', { Path: 'C:\\temp\\"x"', Tab: 'a\tb', Nl: 'x\ny', Ctl: '\u0001\u001f' }))},z`
    ]
    const { fromBytes, fromText } = bothWays(Buffer.from(HEADER + rows.join('\r\n') + '\r\n'))
    expectSame(fromBytes, fromText)
    expect(fromBytes.records.ids).toEqual(['a', 'b', 'pretty', 'd"1', 'a'])
    // Lines: the pretty record spans lines 4–10.
    expect(fromBytes.rejections.map((r) => `${r.line} ${r.code}`)).toEqual([
      '12 bad-date', // unquoted AuditData without CreationTime
      '13 audit-data-not-json', // text after the closing quote joins the cell
      '14 audit-data-missing',
      '15 audit-data-missing',
      '16 audit-data-missing',
      '17 audit-data-missing',
      '18 audit-data-not-json',
      '19 bad-date'
    ])
    // The stored lines read back to the raw texts exactly.
    const records = decodeRecords(fromBytes.records)
    expect(JSON.parse(records[0]?.raw ?? '').Path).toBe('C:\\temp\\"x"')
    expect(JSON.parse(records[0]?.raw ?? '').Ctl).toBe('\u0001\u001f')
    expect(records[1]?.userId).toBe('zoë.müller@contoso.example')
    expect(JSON.parse(records[1]?.raw ?? '').Name).toBe('Zoë 😀 Ærøskøbing €')
    expect(records[2]?.raw).toBe(pretty)
    expect(records[2]?.provenance?.csvCreationDate).toBe('5/19/2026, 1:17 PM')
  })

  it('packed for a window: the same chunk bytes, each raw text byte for byte with its provenance', () => {
    const rows = [
      `a,5/19/2026 1:17:34 PM,187,Op,u,${quoted(auditJson('a', { Path: 'C:\\temp\\"x"', Ctl: '\u0001' }))},z`,
      `b,5/19/2026 1:17:34 PM,187,Op,u,${quoted(auditJson('b', { Name: 'Zoë 😀 Ærøskøbing €' }))},`,
      'g,5/19/2026,187',
      `c,"5/19/2026, 1:17 PM",187,Op,u,{"Id":"c"},x`,
      `d,5/19/2026,187,Op,u,"{""Id"":""d"",""CreationTime"":""2026-05-19T13:17:34""}"tail,x`,
      `e,5/19/2026,187,Op,u,${quoted(auditJson('e'))},x`
    ]
    const file = Buffer.from(HEADER + rows.join('\r\n') + '\r\n')
    const { fromBytes, fromText } = bothWays(file, true)
    expect(fromBytes.packed).toHaveLength(1)
    expect(Buffer.from(fromBytes.packed![0]!).equals(Buffer.from(fromText.packed![0]!))).toBe(true)
    expect(fromBytes.rejections).toEqual(fromText.rejections)
    const chunk = unpackChunk(fromBytes.packed![0]!)
    expect(chunk.ids.ids).toEqual(['a', 'b', 'e'])
    // The raw texts are those the store path keeps, byte for byte.
    const stored = decodeRecords(bothWays(file).fromBytes.records)
    expect(stored.map((r) => r.id)).toEqual(['a', 'b', 'e'])
    stored.forEach((record, i) => {
      expect(bodyRaw(chunk.body, i)).toBe(record.raw)
      expect(bodyProvenance(chunk.body, i)).toEqual(record.provenance)
    })
    expect(JSON.parse(bodyRaw(chunk.body, 1)).Name).toBe('Zoë 😀 Ærøskøbing €')
  })

  it('bytes that are not UTF-8: the raw text (with U+FFFD) is what is stored and hashed', () => {
    const row = Buffer.concat([
      Buffer.from(
        `a,5/19/2026,187,Op,u,"{""Id"":""a"",""CreationTime"":""2026-05-19T13:17:34"",""N"":""x`
      ),
      Buffer.from([0xff, 0xc3]),
      Buffer.from(`""}",x\r\n`)
    ])
    const { fromBytes, fromText } = bothWays(Buffer.concat([Buffer.from(HEADER), row]))
    expectSame(fromBytes, fromText)
    expect(JSON.parse(decodeRecords(fromBytes.records)[0]?.raw ?? '').N).toBe('x\uFFFD\uFFFD')
  })
})
