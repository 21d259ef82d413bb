import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { csvExport, EXCEL_MAX_CELL_CHARS, resolveTimeZone } from '../../../shared/export'
import type { ExportColumn } from '../../../shared/export'

import { writeCsvFiles, writeTextFile } from './file-sinks'
import { writeXlsxExport } from './xlsx-export'

interface Row {
  at: number
  id: string
  text: string
  n: number
}
const columns: ExportColumn<Row>[] = [
  { id: 'at', header: 'CreationTime', kind: 'datetime', get: (r) => r.at },
  { id: 'id', header: 'Id', kind: 'id', get: (r) => r.id },
  { id: 'text', header: 'Text', kind: 'text', get: (r) => r.text },
  { id: 'n', header: 'N', kind: 'number', get: (r) => r.n }
]
const rows: Row[] = [
  { at: Date.UTC(2026, 0, 19, 13, 17, 34), id: '00123', text: '=HYPERLINK("x")', n: 1 },
  {
    at: Date.UTC(2026, 6, 19, 13, 17, 34),
    id: '1234E5',
    text: 'x'.repeat(EXCEL_MAX_CELL_CHARS + 10),
    n: 2
  },
  { at: Date.UTC(2026, 6, 20, 0, 0, 0), id: 'abc', text: 'plain', n: 3 }
]

let dir = ''
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cax-xlsx-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('writeXlsxExport', () => {
  it('writes readable parts with the same safety rules as CSV', async () => {
    const out = join(dir, 'audit.xlsx')
    const result = await writeXlsxExport(rows, columns, out, {
      timeZone: resolveTimeZone('Europe/Paris'),
      maxRowsPerPart: 2
    })
    expect(result.files.map((f) => f.path)).toEqual([out, join(dir, 'audit-part2.xlsx')])
    expect(result.summary).toMatchObject({
      rows: 3,
      parts: 2,
      rowsPerPart: [2, 1],
      truncatedCells: 1,
      neutralizedCells: 1
    })

    const wb = new ExcelJS.Workbook()
    await wb.xlsx.readFile(out)
    const sheet = wb.getWorksheet('Audit')!
    expect(sheet.getRow(1).values).toEqual([
      undefined,
      'CreationTime (UTC+01:00/+02:00 Europe/Paris)',
      'Id',
      'Text',
      'N'
    ])
    // Wall-clock time in Paris (winter +1, summer +2).
    expect((sheet.getCell('A2').value as Date).toISOString()).toBe('2026-01-19T14:17:34.000Z')
    expect((sheet.getCell('A3').value as Date).toISOString()).toBe('2026-07-19T15:17:34.000Z')
    expect(sheet.getCell('B2').value).toBe('00123')
    expect(sheet.getCell('B3').value).toBe('1234E5')
    expect(sheet.getCell('C2').value).toBe('\'=HYPERLINK("x")')
    expect(String(sheet.getCell('C3').value).length).toBe(EXCEL_MAX_CELL_CHARS)
    expect(sheet.getCell('D3').value).toBe(2)

    const part2 = new ExcelJS.Workbook()
    await part2.xlsx.readFile(join(dir, 'audit-part2.xlsx'))
    expect(part2.worksheets[0]!.rowCount).toBe(2)
  })

  it('writes CSV parts to files with hashes', async () => {
    const files = await writeCsvFiles(
      csvExport(rows, columns, { maxRowsPerPart: 2 }),
      join(dir, 'a.csv')
    )
    expect(files).toHaveLength(2)
    const part2 = await readFile(join(dir, 'a-part2.csv'))
    expect(part2.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]))
    expect(files[1]?.bytes).toBe(part2.length)
  })

  it.runIf(process.platform !== 'win32')(
    'writes every export owner-only (0600), also over an existing file',
    async () => {
      const existing = join(dir, 'shared.csv')
      await writeFile(existing, 'old')
      await chmod(existing, 0o644)
      const csv = await writeCsvFiles(csvExport(rows, columns, { maxRowsPerPart: 2 }), existing)
      const text = await writeTextFile(
        (async function* () {
          yield '{"a":1}\n'
        })(),
        join(dir, 'export.ndjson')
      )
      const xlsx = await writeXlsxExport(rows, columns, join(dir, 'owner.xlsx'), {
        maxRowsPerPart: 2
      })
      const paths = [...csv, text, ...xlsx.files].map((f) => f.path)
      expect(paths).toHaveLength(5)
      for (const path of paths) {
        expect({ path, mode: (await stat(path)).mode & 0o777 }).toEqual({ path, mode: 0o600 })
      }
    }
  )
})
