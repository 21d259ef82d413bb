import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

import { describe, expect, it } from 'vitest'

import type { NormalizedRecord } from '../../../shared/audit'

import { importAuditFile, importAuditStream } from './import-audit-file'
import { ImportFormatError } from './import-types'
import type { AuditImport } from './import-audit-file'
import type { ImportSummary, RejectedRow } from './import-types'

const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))

const LAUNCH_ID = 'e2a84675-8952-4d91-a2ea-4d89f310f1a7'
const CONNECTION_ID = '11111111-aaaa-4bbb-8ccc-000000000001'
const DLP_ID = '22222222-aaaa-4bbb-8ccc-000000000002'
const ADMIN_ID = '44444444-aaaa-4bbb-8ccc-000000000004'

interface Collected {
  records: NormalizedRecord[]
  rejections: RejectedRow[]
  batches: number
  summary: ImportSummary
}

async function collect(run: AuditImport): Promise<Collected> {
  const records: NormalizedRecord[] = []
  const rejections: RejectedRow[] = []
  let batches = 0
  for await (const batch of run) {
    batches += 1
    records.push(...batch.records)
    rejections.push(...batch.rejections)
  }
  return { records, rejections, batches, summary: run.summary }
}

function brief(rows: RejectedRow[]): [number, string][] {
  return rows.map((row) => [row.line, row.code])
}

function expectAccounted(summary: ImportSummary): void {
  expect(summary.isComplete).toBe(true)
  expect(summary.rowsRead).toBe(
    summary.recordsAccepted + summary.duplicatesCollapsed + summary.rejectedCount
  )
}

describe('Purview CSV, current layout (CRLF, multi-line cell, duplicates, bad rows)', async () => {
  const result = await collect(importAuditFile(fixture('purview-current.csv')))

  it('detects the layout and reads every row', () => {
    expect(result.summary.format).toBe('purview-csv')
    expect(result.summary.encoding).toBe('utf-8')
    expect(result.summary.rowsRead).toBe(7)
    expectAccounted(result.summary)
  })

  it('accepts the records with the AuditData cell kept byte for byte as raw', () => {
    expect(result.records.map((r) => r.id)).toEqual([
      LAUNCH_ID,
      CONNECTION_ID,
      DLP_ID,
      '55555555-aaaa-4bbb-8ccc-000000000005'
    ])
    const csv = readFileSync(fixture('purview-current.csv'), 'utf8')
    const launch = result.records[0]
    expect(launch?.raw.startsWith('{"PropertyCollection":[{"Name":')).toBe(true)
    expect(csv).toContain(`"${launch?.raw.replaceAll('"', '""')}"`)
    expect(launch?.provenance).toMatchObject({
      source: 'purview-current.csv',
      line: 2,
      csvCreationDate: '5/19/2026 1:17:34 PM'
    })
    expect(launch?.provenance?.rawSha256).toMatch(/^[0-9a-f]{64}$/)
  })

  it('reads a quoted AuditData cell that spans 67 lines and numbers the rows after it', () => {
    const dlp = result.records[2]
    expect(dlp?.activity).toBe('Deleted DLP policy')
    expect(dlp?.raw.split('\n')).toHaveLength(67)
    expect(dlp?.provenance?.line).toBe(4)
    expect(result.records[3]?.provenance?.line).toBe(74)
  })

  it('normalizes the legacy connector row', () => {
    const connection = result.records[1]
    expect(connection?.activity).toBe('Connection created or edited')
    expect(connection?.recordTypeName).toBe('PowerAppsResource')
    expect(connection?.connector).toBe('shared_sql')
    expect(connection?.clientIp).toBe('10.1.2.3')
  })

  it('collapses the repeated Id and reports each bad row with its line and reason', () => {
    expect(result.summary.duplicatesCollapsed).toBe(1)
    expect(result.summary.duplicatesWithDifferentContent).toBe(0)
    expect(brief(result.rejections)).toEqual([
      [72, 'audit-data-not-json'],
      [73, 'bad-date']
    ])
    expect(result.rejections[0]?.reason).toMatch(/^AuditData is not a JSON record: malformed JSON/)
    expect(result.rejections[1]?.reason).toBe(
      'bad date: CreationTime "2025-02-30T00:00:00" is not a recognised date'
    )
    expect(result.summary.rejections).toEqual(result.rejections)
  })

  it('takes a missing AuditData Id from the RecordId column', () => {
    expect(result.records[3]?.warnings).toContain('Id missing; taken from the CSV row')
  })
})

describe('Purview CSV, classic layout', () => {
  it('is detected by its four headers and imported', async () => {
    const result = await collect(importAuditFile(fixture('purview-classic.csv')))
    expect(result.summary.format).toBe('purview-csv-classic')
    expect(result.records.map((r) => [r.id, r.activity, r.provenance?.line])).toEqual([
      [LAUNCH_ID, 'Launched app', 2],
      [ADMIN_ID, 'Admin deleted app', 3]
    ])
    expect(result.records[1]?.createdAt).toBe('2026-01-22T09:30:00.123Z')
    expectAccounted(result.summary)
  })
})

describe('Search-UnifiedAuditLog | Export-Csv', () => {
  it('skips the #TYPE line and the BOM, reads all-quoted cells and collapses the repeat', async () => {
    const result = await collect(importAuditFile(fixture('search-ual-typed.csv')))
    expect(result.summary.format).toBe('search-ual-csv')
    expect(result.records.map((r) => [r.id, r.provenance?.line])).toEqual([
      [LAUNCH_ID, 3],
      [CONNECTION_ID, 4]
    ])
    expect(result.records[0]?.recordType).toBe(256)
    expect(result.summary.duplicatesCollapsed).toBe(1)
    expect(result.rejections).toEqual([])
    expectAccounted(result.summary)
  })

  it('finds AuditData by name among extra columns added by another tool', async () => {
    const result = await collect(importAuditFile(fixture('search-ual-extra-columns.csv')))
    expect(result.summary.format).toBe('search-ual-csv')
    expect(result.records.map((r) => r.id)).toEqual([CONNECTION_ID])
    expect(result.records[0]?.provenance?.csvCreationDate).toBe('3/1/2024 10:11:12 AM')
  })

  it('reads UTF-16LE (Export-Csv -Encoding Unicode)', async () => {
    const result = await collect(importAuditFile(fixture('utf16le.csv')))
    expect(result.summary.encoding).toBe('utf-16le')
    expect(result.summary.format).toBe('purview-csv-classic')
    expect(result.records.map((r) => r.id)).toEqual([CONNECTION_ID])
  })

  it('falls back to Windows-1252 when the file is not UTF-8, and says so', async () => {
    const result = await collect(importAuditFile(fixture('windows-1252.csv')))
    expect(result.summary.encoding).toBe('windows-1252')
    expect(result.summary.warnings[0]).toMatch(/not valid UTF-8/)
    expect(result.records[0]?.userId).toBe('renée@contoso.example')
  })
})

describe('CSV with a truncated last line', () => {
  it('accepts the complete rows and rejects the cut-off one with its line', async () => {
    const result = await collect(importAuditFile(fixture('truncated.csv')))
    expect(result.records.map((r) => r.id)).toEqual([LAUNCH_ID])
    expect(brief(result.rejections)).toEqual([[3, 'truncated']])
    expect(result.rejections[0]?.reason).toBe(
      'truncated row: a quoted cell is not closed before the end of the file'
    )
    expectAccounted(result.summary)
  })

  it('rejects a row that lost its AuditData column', async () => {
    const text =
      'RecordId,CreationDate,AuditData\n1,2,"{""Id"":""a"",""CreationTime"":""2024-01-01T00:00:00""}"\n3,4\n'
    const result = await collect(importAuditStream([Buffer.from(text)], 'short.csv'))
    expect(result.records).toHaveLength(1)
    expect(brief(result.rejections)).toEqual([[3, 'audit-data-missing']])
    expect(result.rejections[0]?.reason).toBe(
      'row has 2 of 3 columns and no AuditData (truncated row?)'
    )
  })
})

describe('NDJSON', () => {
  it('imports good lines and rejects each bad line with its line number', async () => {
    const result = await collect(importAuditFile(fixture('records.ndjson')))
    expect(result.summary.format).toBe('ndjson')
    expect(result.records.map((r) => [r.id, r.provenance?.line])).toEqual([
      [LAUNCH_ID, 1],
      [CONNECTION_ID, 2],
      [ADMIN_ID, 7]
    ])
    expect(brief(result.rejections)).toEqual([
      [3, 'malformed-json'],
      [5, 'missing-id'],
      [6, 'not-an-object'],
      [9, 'truncated']
    ])
    expect(result.summary.duplicatesCollapsed).toBe(1)
    expectAccounted(result.summary)
  })

  it('keeps each line as raw, without its CRLF', async () => {
    const result = await collect(importAuditFile(fixture('records.ndjson')))
    const lines = readFileSync(fixture('records.ndjson'), 'utf8').split('\r\n')
    expect(result.records[1]?.raw).toBe(lines[1])
  })
})

describe('JSON arrays and Management API blob dumps', () => {
  it('reads concatenated pretty-printed arrays, rejecting a non-object element', async () => {
    const result = await collect(importAuditFile(fixture('management-blobs.json.txt')))
    expect(result.summary.format).toBe('json-array')
    expect(result.records.map((r) => r.id)).toEqual([LAUNCH_ID, CONNECTION_ID, DLP_ID])
    expect(result.records[0]?.provenance?.line).toBe(2)
    expect(result.records[0]?.raw.startsWith('{\n    "PropertyCollection": [')).toBe(true)
    expect(brief(result.rejections)).toEqual([[105, 'not-an-object']])
    expect(result.summary.duplicatesCollapsed).toBe(1)
    expect(result.summary.warnings).toContain(
      '2 JSON arrays one after another (concatenated blobs)'
    )
    expectAccounted(result.summary)
  })

  it('reads a one-line array with a BOM, keeping each element as raw', async () => {
    const result = await collect(importAuditFile(fixture('single-array.json.txt')))
    expect(result.records.map((r) => r.id)).toEqual([LAUNCH_ID, ADMIN_ID])
    const text = readFileSync(fixture('single-array.json.txt'), 'utf8')
    expect(text).toContain(`[${result.records[0]?.raw},${result.records[1]?.raw}]`)
  })

  it('splits records across tiny chunks, with braces and escapes inside strings', async () => {
    const text =
      '[{"Id":"a","CreationTime":"2024-01-01T00:00:00","Note":"} ] { \\" \\\\"},\n{"Id":"b","CreationTime":"2024-01-01T00:00:00"}]'
    const chunks = Array.from(Buffer.from(text), (byte) => Buffer.from([byte]))
    const result = await collect(importAuditStream(chunks, 'tiny.json'))
    expect(result.records.map((r) => r.id)).toEqual(['a', 'b'])
    expect(result.records[0]?.fields['Note']).toBe('} ] { " \\')
    expect(result.records[1]?.provenance?.line).toBe(2)
  })

  it('warns when the array is not closed and rejects the cut-off record', async () => {
    const text = '[\n{"Id":"a","CreationTime":"2024-01-01T00:00:00"},\n{"Id":"b","Creat'
    const result = await collect(importAuditStream([Buffer.from(text)], 'cut.json'))
    expect(result.records.map((r) => r.id)).toEqual(['a'])
    expect(brief(result.rejections)).toEqual([[3, 'truncated']])
    expect(result.summary.warnings).toContain(
      'The JSON array is not closed: the file may be truncated.'
    )
  })

  it('refuses an oversized record without holding it', async () => {
    const big = `{"Id":"big","CreationTime":"2024-01-01T00:00:00","Pad":"${'x'.repeat(5000)}"}`
    const text = `[${big},{"Id":"ok","CreationTime":"2024-01-01T00:00:00"}]`
    const result = await collect(
      importAuditStream([Buffer.from(text)], 'big.json', { maxRecordChars: 1000 })
    )
    expect(result.records.map((r) => r.id)).toEqual(['ok'])
    expect(brief(result.rejections)).toEqual([[1, 'record-too-large']])
  })
})

describe('format detection errors', () => {
  async function failure(run: AuditImport): Promise<ImportFormatError> {
    try {
      await collect(run)
    } catch (error) {
      if (error instanceof ImportFormatError) {
        return error
      }
      throw error
    }
    throw new Error('expected an ImportFormatError')
  }

  it('names the header of a CSV without AuditData', async () => {
    const error = await failure(importAuditFile(fixture('not-audit.csv')))
    expect(error.code).toBe('import/unknown-format')
    expect(error.message).toBe(
      'This CSV has no AuditData column, so it is not an audit log export. Its header is: "Name,Email,Department"'
    )
  })

  it('names what it saw in a file that is neither CSV nor JSON', async () => {
    const error = await failure(importAuditStream([Buffer.from('hello world\n')], 'x.txt'))
    expect(error.message).toContain('but the file starts with: "hello world"')
  })

  it('recognises empty, gzip and ZIP files', async () => {
    expect((await failure(importAuditStream([], 'empty.csv'))).code).toBe('import/empty')
    expect((await failure(importAuditStream([Buffer.from('  \r\n')], 'blank.csv'))).code).toBe(
      'import/empty'
    )
    const gzip = await failure(importAuditStream([Buffer.from([0x1f, 0x8b, 8, 0])], 'a.gz'))
    expect(gzip.message).toMatch(/gzip-compressed/)
    const zip = await failure(importAuditStream([Buffer.from('PK\u0003\u0004rest')], 'a.xlsx'))
    expect(zip.message).toMatch(/ZIP archive/)
  })
})

describe('batching and early stop', () => {
  const ndjson = Array.from(
    { length: 25 },
    (_, i) => `{"Id":"id-${i}","CreationTime":"2024-01-01T00:00:00"}`
  ).join('\n')

  it('yields batches of the requested size', async () => {
    const result = await collect(
      importAuditStream([Buffer.from(ndjson)], 'n.ndjson', { batchSize: 10 })
    )
    expect(result.batches).toBe(3)
    expect(result.records).toHaveLength(25)
  })

  it('stops when the signal aborts', async () => {
    const controller = new AbortController()
    const run = importAuditStream([Buffer.from(ndjson)], 'n.ndjson', {
      batchSize: 5,
      signal: controller.signal
    })
    let seen = 0
    await expect(async () => {
      for await (const batch of run) {
        seen += batch.records.length
        controller.abort(new Error('stopped by user'))
      }
    }).rejects.toThrow('stopped by user')
    expect(seen).toBe(5)
    expect(run.summary.isComplete).toBe(false)
  })

  it('lets the consumer stop early without reading on', async () => {
    const run = importAuditFile(fixture('purview-current.csv'), { batchSize: 1 })
    for await (const batch of run) {
      expect(batch.records).toHaveLength(1)
      break
    }
    expect(run.summary.recordsAccepted).toBe(1)
    expect(run.summary.isComplete).toBe(false)
    expect(() => run[Symbol.asyncIterator]()).toThrow('can be iterated only once')
  })

  it('counts a repeated Id with different content separately', async () => {
    const text =
      '{"Id":"same","CreationTime":"2024-01-01T00:00:00"}\n{"Id":"same","CreationTime":"2024-01-02T00:00:00"}\n'
    const result = await collect(importAuditStream([Buffer.from(text)], 'd.ndjson'))
    expect(result.records).toHaveLength(1)
    expect(result.summary.duplicatesCollapsed).toBe(1)
    expect(result.summary.duplicatesWithDifferentContent).toBe(1)
  })
})
