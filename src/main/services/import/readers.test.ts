import { describe, expect, it } from 'vitest'

import { readCsvAuditRows } from './csv-audit-rows'
import type { CsvItem } from './csv-audit-rows'
import { detectEncoding, detectFormat } from './detect-format'
import type { CsvColumns } from './detect-format'
import { ImportFormatError } from './import-types'
import { JsonRecordSplitter } from './json-record-splitter'
import type { SplitItem } from './json-record-splitter'

describe('detectFormat (§12.3)', () => {
  const cases: [string, string][] = [
    [
      'RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,AssociatedAdminUnitsNames\r\n',
      'purview-csv'
    ],
    ['recordid,AUDITDATA\n', 'purview-csv'],
    ['CreationDate,UserIds,Operations,AuditData\n', 'purview-csv-classic'],
    ['"CreationDate","UserIds","Operations","AuditData"\n', 'purview-csv-classic'],
    [
      '#TYPE System.Management.Automation.PSCustomObject\r\n"CreationDate","UserIds","Operations","AuditData"\r\n',
      'search-ual-csv'
    ],
    [
      '"RunspaceId","RecordType","CreationDate","UserIds","Operations","AuditData","ResultIndex","ResultCount","Identity","IsValid","ObjectState"\n',
      'search-ual-csv'
    ],
    ['Time,Actor,AuditData,Extra\n', 'generic-csv'],
    ['\uFEFF  [\n {"Id":1}]', 'json-array'],
    ['{"Id":"a"}\n{"Id":"b"}\n', 'ndjson'],
    ['{"Id":"a"}', 'ndjson'],
    ['{\n  "Id": "a"\n}\n{\n  "Id": "b"\n}', 'json-concatenated']
  ]
  it.each(cases)('%j → %s', (head, format) => {
    expect(detectFormat(head).format).toBe(format)
  })

  it('maps the AuditData, id and date columns by name', () => {
    const detected = detectFormat('"Tool","Identity","AuditData","CreationDate"\n')
    expect(detected.csv).toMatchObject({ auditData: 2, recordId: 1, creationDate: 3 })
  })

  it('names what it saw when the layout is unknown', () => {
    expect(() => detectFormat('PK garbage without commas')).toThrow(
      'Unrecognised file: expected a CSV audit export (with an AuditData column), a JSON array or NDJSON of audit records, but the file starts with: "PK garbage without commas"'
    )
    expect(() => detectFormat('\n\n')).toThrow(ImportFormatError)
  })

  it('sniffs the encoding from the BOM or the bytes', () => {
    expect(detectEncoding(Buffer.from([0xef, 0xbb, 0xbf, 0x41]))).toBe('utf-8')
    expect(detectEncoding(Buffer.from([0xff, 0xfe, 0x41, 0]))).toBe('utf-16le')
    expect(detectEncoding(Buffer.from([0xfe, 0xff, 0, 0x41]))).toBe('utf-16be')
    expect(detectEncoding(Buffer.from('caf\u00e9', 'utf8'))).toBe('utf-8')
    expect(detectEncoding(Buffer.from([0x63, 0x61, 0x66, 0xe9]))).toBe('windows-1252')
    // a multi-byte character cut at the end of the sample is still UTF-8
    expect(detectEncoding(Buffer.from([0x41, 0xc3]), true)).toBe('utf-8')
    expect(detectEncoding(Buffer.from([0x41, 0xc3]))).toBe('windows-1252')
    expect(() => detectEncoding(Buffer.from([0x41, 0, 0x42]))).toThrow(/binary data/)
  })
})

describe('JsonRecordSplitter', () => {
  function split(chunks: string[], isLineDelimited = false): SplitItem[] {
    const splitter = new JsonRecordSplitter({ isLineDelimited, maxRecordChars: 1_000_000 })
    return [...chunks.flatMap((chunk) => splitter.push(chunk)), ...splitter.end()]
  }
  const summary = (items: SplitItem[]): string[] =>
    items.map((item) =>
      item.kind === 'record' ? `${item.line}:${item.text}` : `${item.line}!${item.code}`
    )

  it('reads arrays of arrays and records one after another', () => {
    expect(summary(split(['[[{"a":1}],[{"b":2}]]{"c":3}\n{"d":\n4}']))).toEqual([
      '1:{"a":1}',
      '1:{"b":2}',
      '1:{"c":3}',
      '2:{"d":\n4}'
    ])
  })

  it('refuses stray values and text once each, then carries on', () => {
    expect(summary(split(['[\n"s", 12, true,\nthis is not json\n{"ok":1}]']))).toEqual([
      '2!not-an-object',
      '2!not-an-object',
      '2!not-an-object',
      '3!unexpected-content',
      '4:{"ok":1}'
    ])
  })

  it('in NDJSON, loses only the broken line', () => {
    expect(summary(split(['{"a":1\n{"b":"x\n{"c":3}\n'], true))).toEqual([
      '1!malformed-json',
      '2!malformed-json',
      '3:{"c":3}'
    ])
  })

  it('keeps records whole across chunk boundaries inside strings and escapes', () => {
    const text = '{"a":"x\\"}{"}\r\n{"b":2}'
    const items = split(Array.from(text))
    expect(summary(items)).toEqual(['1:{"a":"x\\"}{"}', '2:{"b":2}'])
  })
})

describe('readCsvAuditRows', () => {
  const columns: CsvColumns = {
    header: ['RecordId', 'AuditData'],
    auditData: 1,
    recordId: 0,
    creationDate: null
  }
  async function rows(text: string, maxRecordChars = 1_000_000): Promise<string[]> {
    const out: string[] = []
    const items: AsyncIterable<CsvItem> = readCsvAuditRows(
      (async function* () {
        yield text
      })(),
      columns,
      { maxRecordChars }
    )
    for await (const item of items) {
      out.push(item.kind === 'record' ? `${item.line}:${item.text}` : `${item.line}!${item.code}`)
    }
    return out
  }

  it('counts lines across blank lines and CRLF line breaks inside quoted cells', async () => {
    expect(
      await rows('RecordId,AuditData\r\n\r\n1,"a\r\nb"\r\n\r\n2,c\r\n,\r\n3,"x""y"\r\n')
    ).toEqual(['3:a\r\nb', '6:c', '7!audit-data-missing', '8:x"y'])
  })

  it('refuses an oversized multi-line row, keeping line numbers right after it', async () => {
    const big = `${'x'.repeat(150)}\r\n${'y'.repeat(150)}\r\n""z`
    expect(
      await rows(`RecordId,AuditData\r\n1,"${big}"\r\n2,ok\r\n3,"a\r\nb"\r\n4,c\r\n`, 100)
    ).toEqual(['2!record-too-large', '5:ok', '6:a\r\nb', '8:c'])
  })

  it('reports a quote that never closes with the lines it swallowed', async () => {
    const items: string[] = []
    for await (const item of readCsvAuditRows(
      (async function* () {
        yield 'RecordId,AuditData\n1,ok\n2,"never closed\n3,lost\n4,lost'
      })(),
      columns,
      { maxRecordChars: 1000 }
    )) {
      items.push(item.kind === 'record' ? item.text : item.reason)
    }
    expect(items).toEqual([
      'ok',
      'truncated row: a quoted cell is not closed before the end of the file (lines 3–5 were read as this one row)'
    ])
  })

  it('refuses a row larger than the limit and goes on with the next', async () => {
    const big = 'x'.repeat(200)
    expect(await rows(`RecordId,AuditData\n1,"${big}"\n2,ok\n`, 100)).toEqual([
      '2!record-too-large',
      '3:ok'
    ])
  })
})
