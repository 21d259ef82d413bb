import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import ExcelJS from 'exceljs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import type { ExportColumn } from '../../../shared/export'

import { writeXlsxWorkbook } from './xlsx-workbook'

interface Row {
  name: string
  n: number
  at: number
}

const COLUMNS: ExportColumn<Row>[] = [
  { id: 'name', header: 'Name', kind: 'text', get: (r) => r.name },
  { id: 'n', header: 'N', kind: 'number', get: (r) => r.n },
  { id: 'at', header: 'At', kind: 'datetime', get: (r) => r.at }
]

describe('writeXlsxWorkbook', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cax-xlsx-book-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('writes sheets in order with safe cells, and counts rows left out past a limit', async () => {
    const path = join(dir, 'book.xlsx')
    const rows = async function* (): AsyncGenerator<Row> {
      for (let i = 0; i < 2500; i++) {
        yield { name: i === 0 ? '=SUM(A1:A9)' : `row ${i}`, n: i, at: Date.UTC(2026, 4, 19, 10) }
      }
    }
    const result = await writeXlsxWorkbook(path, [
      { name: 'First', columns: COLUMNS, rows: [{ name: '@cmd', n: 1, at: 0 }] },
      { name: 'Second', columns: COLUMNS, rows: rows(), maxRows: 2100 }
    ])
    expect(result.sheets).toEqual([
      { name: 'First', rows: 1, rowsLeftOut: 0 },
      { name: 'Second', rows: 2100, rowsLeftOut: 400 }
    ])
    expect(result.summary.neutralizedCells).toBe(2)
    expect(result.file.sha256).toMatch(/^[0-9a-f]{64}$/)
    const book = new ExcelJS.Workbook()
    await book.xlsx.readFile(path)
    expect(book.worksheets.map((s) => s.name)).toEqual(['First', 'Second'])
    const second = book.getWorksheet('Second')
    expect(second?.rowCount).toBe(2101)
    expect(second?.getRow(1).values).toEqual([undefined, 'Name', 'N', 'At (UTC)'])
    expect(second?.getCell('A2').value).toBe(`'=SUM(A1:A9)`)
    expect(second?.getCell('B2101').value).toBe(2099)
    expect(second?.getCell('C2').value).toEqual(new Date(Date.UTC(2026, 4, 19, 10)))
  })

  it('refuses sheet names Excel cannot take, before writing anything', async () => {
    const path = join(dir, 'bad.xlsx')
    await expect(
      writeXlsxWorkbook(path, [{ name: 'a/b', columns: COLUMNS, rows: [] }])
    ).rejects.toThrow("'a/b' is not a valid Excel sheet name")
    await expect(
      writeXlsxWorkbook(path, [
        { name: 'Same', columns: COLUMNS, rows: [] },
        { name: 'same', columns: COLUMNS, rows: [] }
      ])
    ).rejects.toThrow("two sheets are named 'same'")
    await expect(
      writeXlsxWorkbook(path, [{ name: 'x'.repeat(32), columns: COLUMNS, rows: [] }])
    ).rejects.toThrow(/not a valid Excel sheet name/)
  })
})
