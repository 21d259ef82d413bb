import { describe, expect, it } from 'vitest'

import { EXCEL_MAX_CELL_CHARS, neutralizeFormula, needsTextGuard } from './cell-safety'
import { RECORD_COLUMNS, resolveRecordColumns, UnknownColumnError } from './columns'
import type { ExportColumn, ExportRow } from './columns'
import { csvExport } from './csv-export'
import type { CsvChunk } from './csv-export'
import { partFileName } from './export-summary'
import { testRecord } from './test-records'
import { resolveTimeZone, TimeZoneError } from './time-zone'

async function collect(chunks: AsyncIterable<CsvChunk>): Promise<Map<number, string>> {
  const parts = new Map<number, string>()
  for await (const c of chunks) {
    parts.set(c.part, (parts.get(c.part) ?? '') + c.text)
  }
  return parts
}

const text = (id: string, header = id): ExportColumn<{ v: string }> => ({
  id,
  header,
  kind: 'text',
  get: (r) => r.v
})

describe('neutralizeFormula', () => {
  it.each(['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx', '  =cmd', ' \t+1', '\u00a0@x', '＝1'])(
    'prefixes an apostrophe to %j',
    (v) => {
      expect(neutralizeFormula(v)).toBe(`'${v}`)
    }
  )
  it.each(['', 'plain', 'a=b', ' x', '1-2', "'=already"])('leaves %j alone', (v) => {
    expect(neutralizeFormula(v)).toBe(v)
  })
})

describe('needsTextGuard', () => {
  it('guards ids that look numeric or date-like, and long numbers anywhere', () => {
    expect(needsTextGuard('1234E5', true)).toBe(true)
    expect(needsTextGuard('0012', false)).toBe(true)
    expect(needsTextGuard('1234567890123456789', false)).toBe(true)
    expect(needsTextGuard('3-12', true)).toBe(true)
    expect(needsTextGuard('42', false)).toBe(false)
    expect(needsTextGuard('e2a84675-8952-4d91-a2ea-4d89f310f1a7', true)).toBe(false)
  })
})

describe('csvExport', () => {
  it('writes a BOM, CRLF lines and RFC 4180 quoting', async () => {
    const rows = [{ v: 'a,b' }, { v: 'say "hi"' }, { v: 'two\nlines' }, { v: 'plain' }]
    const parts = await collect(csvExport(rows, [text('v', 'Value')]))
    expect(parts.get(1)).toBe('\ufeffValue\r\n"a,b"\r\n"say ""hi"""\r\n"two\nlines"\r\nplain\r\n')
  })

  it('neutralises every dangerous prefix, also after whitespace, and counts it', async () => {
    const values = ['=HYPERLINK("x")', '+1', '-2', '@x', '\tcmd', '\rcmd', '   =1', 'safe']
    const exp = csvExport(
      values.map((v) => ({ v })),
      [text('v')]
    )
    const body = (await collect(exp)).get(1) ?? ''
    const lines = body.replace('\ufeffv\r\n', '')
    expect(lines).toBe(
      `"'=HYPERLINK(""x"")"\r\n'+1\r\n'-2\r\n'@x\r\n'\tcmd\r\n"'\rcmd"\r\n'   =1\r\nsafe\r\n`
    )
    expect(exp.summary.neutralizedCells).toBe(7)
  })

  it('keeps ids and long numbers as text', async () => {
    const cols: ExportColumn<{ v: string }>[] = [
      { id: 'id', header: 'Id', kind: 'id', get: (r) => r.v },
      text('t')
    ]
    const exp = csvExport([{ v: '1234E5' }, { v: '00123456789012345678' }, { v: '42' }], cols)
    const body = (await collect(exp)).get(1) ?? ''
    expect(body).toContain('"=""1234E5""","=""1234E5"""\r\n')
    expect(body).toContain('"=""42""",42\r\n')
    expect(body).toContain('"=""00123456789012345678""","=""00123456789012345678"""\r\n')
    expect(exp.summary.textGuardedCells).toBe(5)
  })

  it('names the time zone in datetime headers and writes wall-clock times', async () => {
    const record = testRecord('11111111-aaaa-4bbb-8ccc-000000000001', {}, '2026-01-19T13:17:34')
    const cols = resolveRecordColumns(['createdAt', 'id'])
    const utc = (await collect(csvExport([{ record }], cols))).get(1) ?? ''
    expect(utc).toContain('CreationTime (UTC),Id\r\n2026-01-19 13:17:34,')
    const paris = resolveTimeZone('Europe/Paris')
    const local = (await collect(csvExport([{ record }], cols, { timeZone: paris }))).get(1) ?? ''
    expect(local).toContain(
      'CreationTime (UTC+01:00/+02:00 Europe/Paris),Id\r\n2026-01-19 14:17:34,'
    )
    expect(() => resolveTimeZone('Mars/Olympus')).toThrow(TimeZoneError)
  })

  it('splits into parts at the row limit, each with BOM and header', async () => {
    const rows = Array.from({ length: 7 }, (_, i) => ({ v: `r${i + 1}` }))
    const exp = csvExport(rows, [text('v')], { maxRowsPerPart: 3 })
    const parts = await collect(exp)
    expect([...parts.keys()]).toEqual([1, 2, 3])
    expect(parts.get(1)).toBe('\ufeffv\r\nr1\r\nr2\r\nr3\r\n')
    expect(parts.get(2)).toBe('\ufeffv\r\nr4\r\nr5\r\nr6\r\n')
    expect(parts.get(3)).toBe('\ufeffv\r\nr7\r\n')
    expect(exp.summary).toMatchObject({
      rows: 7,
      parts: 3,
      rowsPerPart: [3, 3, 1],
      isComplete: true
    })
    expect(partFileName('/tmp/a.csv', 2)).toBe('/tmp/a-part2.csv')
    expect(partFileName('C:\\x.y\\out', 3)).toBe('C:\\x.y\\out-part3')
  })

  it('writes a header-only part for no rows, and streams many chunks', async () => {
    expect((await collect(csvExport([], [text('v')]))).get(1)).toBe('\ufeffv\r\n')
    const rows = Array.from({ length: 2000 }, (_, i) => ({ v: `row-${i}` }))
    let chunks = 0
    for await (const c of csvExport(rows, [text('v')], { chunkChars: 1024 })) {
      chunks += 1
      expect(c.text.length).toBeLessThan(1100)
    }
    expect(chunks).toBeGreaterThan(10)
  })

  it('cuts over-long cells with a visible marker and counts them', async () => {
    const long = 'x'.repeat(EXCEL_MAX_CELL_CHARS + 500)
    const exp = csvExport([{ v: 'short' }, { v: long }], [text('v')])
    const body = (await collect(exp)).get(1) ?? ''
    const cell = body.split('\r\n')[2] ?? ''
    expect(cell.length).toBe(EXCEL_MAX_CELL_CHARS)
    expect(cell).toMatch(/…\[truncated \d+ chars\]$/)
    expect(exp.summary.truncatedCells).toBe(1)
    expect(exp.summary.truncations[0]).toMatchObject({ row: 2, column: 'v' })
  })

  it('exports record columns and annotations; unknown columns are named', async () => {
    const record = testRecord('22222222-aaaa-4bbb-8ccc-000000000002')
    const rows: ExportRow[] = [{ record, annotation: { tags: ['a', 'b'], comment: '=bad' } }]
    const body = (
      await collect(
        csvExport(rows, resolveRecordColumns(['ID', 'tags', 'comment', 'fields.Workload']))
      )
    ).get(1)
    expect(body).toBe(
      "\ufeffId,Tags,Comment,Workload\r\n22222222-aaaa-4bbb-8ccc-000000000002,a; b,'=bad,PowerApps\r\n"
    )
    expect(() => resolveRecordColumns(['nope', 'id'])).toThrow(UnknownColumnError)
    expect(RECORD_COLUMNS.length).toBeGreaterThan(20)
  })
})
