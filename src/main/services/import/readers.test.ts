import { describe, expect, it } from 'vitest'

import { CsvByteRows } from './csv-byte-rows'
import type { CsvByteBatch } from './csv-byte-rows'
import { parseCsvRow } from './parse-csv-row'
import { detectEncoding, detectFormat } from './detect-format'
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

describe('CsvByteRows and parseCsvRow', () => {
  /**
   * Data rows (after the header) as `line:AuditData` (the second cell), refusals as
   * `line!code`, in line order; `chunks` are fed as UTF-8 bytes one after another.
   */
  function rows(
    text: string,
    maxRecordChars = 1_000_000,
    chunks: Uint8Array[] = [Buffer.from(text)],
    batchSize = 1000
  ): string[] {
    return cut(chunks, maxRecordChars, batchSize).map((item) => {
      if (item.code !== undefined) {
        return `${item.line}!${item.code}`
      }
      const cell = parseCsvRow(item.text)[1]
      return cell === undefined || cell.trim() === ''
        ? `${item.line}!audit-data-missing`
        : `${item.line}:${cell}`
    })
  }

  function cut(
    chunks: Uint8Array[],
    maxRecordChars = 1_000_000,
    batchSize = 1000
  ): Array<{ line: number; text: string; code?: string; reason?: string }> {
    const cutter = new CsvByteRows({ maxRecordChars, batchSize })
    const batches: CsvByteBatch[] = []
    for (const chunk of chunks) {
      batches.push(...cutter.push(chunk))
    }
    batches.push(...cutter.end())
    const items: Array<{ line: number; text: string; code?: string; reason?: string }> = []
    for (const batch of batches) {
      expect(batch.lines.length + batch.rejected.length).toBeLessThanOrEqual(batchSize)
      const bytes = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength)
      batch.lines.forEach((line, k) => {
        items.push({
          line,
          text: bytes.toString('utf8', batch.spans[2 * k], batch.spans[2 * k + 1])
        })
      })
      for (const r of batch.rejected) {
        items.push({ line: r.line, text: r.excerpt, code: r.code, reason: r.reason })
      }
    }
    return items.sort((x, y) => x.line - y.line)
  }

  const bytesOf = (text: string, size: number): Buffer[] => {
    const all = Buffer.from(text)
    const out: Buffer[] = []
    for (let at = 0; at < all.length; at += size) {
      out.push(all.subarray(at, at + size))
    }
    return out
  }

  it('counts lines across blank lines and CRLF line breaks inside quoted cells', () => {
    const text = 'RecordId,AuditData\r\n\r\n1,"a\r\nb"\r\n\r\n2,c\r\n,\r\n3,"x""y"\r\n'
    const expected = ['3:a\r\nb', '6:c', '7!audit-data-missing', '8:x"y']
    expect(rows(text)).toEqual(expected)
    // The same, fed one byte at a time: quotes, doubled quotes and CRLF split anywhere.
    expect(rows(text, 1_000_000, bytesOf(text, 1))).toEqual(expected)
    // And in batches of one row.
    expect(rows(text, 1_000_000, bytesOf(text, 3), 1)).toEqual(expected)
  })

  it('counts a lone CR inside a cell as a line, and reads relaxed quotes as csv-parse does', () => {
    expect(rows('h,a\n1,"x\ry"\n2,ab"c"d\n3,"q"tail,z\n')).toEqual([
      '2:x\ry',
      '4:ab"c"d',
      '5:qtail'
    ])
    expect(parseCsvRow('a,"b,c",,"d""e"')).toEqual(['a', 'b,c', '', 'd"e'])
    expect(parseCsvRow('a,')).toEqual(['a', ''])
    expect(parseCsvRow('')).toEqual([''])
  })

  it('skips a BOM, the #TYPE line and blank rows before the header; multi-byte characters split anywhere stay whole', () => {
    const text =
      '\uFEFF#TYPE System.Management.Automation.PSCustomObject\r\n,,\r\n"RecordId","AuditData"\r\n1,"Zoë 😀 €"\r\n2,b\r\n'
    const expected = ['4:Zoë 😀 €', '5:b']
    for (const size of [1, 2, 3, 5, 1000]) {
      expect(rows(text, 1_000_000, bytesOf(text, size))).toEqual(expected)
    }
  })

  it('refuses an oversized multi-line row, keeping line numbers right after it', () => {
    const big = `${'x'.repeat(150)}\r\n${'y'.repeat(150)}\r\n""z`
    const text = `RecordId,AuditData\r\n1,"${big}"\r\n2,ok\r\n3,"a\r\nb"\r\n4,c\r\n`
    const expected = ['2!record-too-large', '5:ok', '6:a\r\nb', '8:c']
    expect(rows(text, 100)).toEqual(expected)
    // Held across small chunks, the oversized row is dropped as it grows, not at its end.
    expect(rows(text, 100, bytesOf(text, 7))).toEqual(expected)
  })

  it('measures a row in characters, not bytes', () => {
    // 90 characters, 180 bytes: within a 100-character limit.
    const text = `RecordId,AuditData\n1,"${'é'.repeat(86)}"\n2,"${'é'.repeat(120)}"\n`
    expect(rows(text, 100)).toEqual([`2:${'é'.repeat(86)}`, '3!record-too-large'])
    expect(rows(text, 100, bytesOf(text, 7))).toEqual([`2:${'é'.repeat(86)}`, '3!record-too-large'])
  })

  it('reports a quote that never closes with the lines it swallowed', () => {
    const text = 'RecordId,AuditData\n1,ok\n2,"never closed\n3,lost\n4,lost'
    for (const chunks of [[Buffer.from(text)], bytesOf(text, 4)]) {
      expect(cut(chunks, 1000).map((item) => item.reason ?? item.text)).toEqual([
        '1,ok',
        'truncated row: a quoted cell is not closed before the end of the file (lines 3–5 were read as this one row)'
      ])
    }
  })

  it('refuses a row larger than the limit and goes on with the next', () => {
    const big = 'x'.repeat(200)
    expect(rows(`RecordId,AuditData\n1,"${big}"\n2,ok\n`, 100)).toEqual([
      '2!record-too-large',
      '3:ok'
    ])
  })

  it('a row without a line break at the end, and a closing quote or CR as the last byte', () => {
    expect(rows('h,a\n1,x')).toEqual(['2:x'])
    expect(rows('h,a\n1,"x"')).toEqual(['2:x'])
    expect(rows('h,a\r\n1,"x"\r', 1000, bytesOf('h,a\r\n1,"x"\r', 1))).toEqual(['2:x'])
  })
})
