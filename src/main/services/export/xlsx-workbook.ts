import ExcelJS from 'exceljs'

import {
  CellFormatter,
  EXCEL_MAX_CELL_CHARS,
  EXCEL_MAX_ROWS,
  emptyTabularSummary,
  resolveTimeZone
} from '../../../shared/export'
import type {
  ExportColumn,
  ExportTimeZone,
  RowSource,
  TabularExportSummary
} from '../../../shared/export'

import type { WrittenFile } from './file-sinks'
import {
  DATE_FORMAT,
  DRAIN_EVERY_ROWS,
  drainWorksheet,
  hashFile,
  toExcelValue
} from './xlsx-export'

/**
 * A streaming workbook of several sheets (ExcelJS `WorkbookWriter`), each written row by row
 * through the shared CellFormatter: the same cell-safety rules as every export (formula
 * neutralisation, the cell-length limit with a visible marker, the zone in datetime headers).
 * Sheets are written in order; a sheet longer than Excel's row limit is cut and the result says
 * how many rows were left out.
 */

/** One sheet of a workbook. */
export interface XlsxSheet<T> {
  /** Sheet name (Excel: at most 31 characters, none of `[]:*?/\`). */
  name: string
  columns: readonly ExportColumn<T>[]
  rows: RowSource<T>
  /** Column widths in characters, by column index (default 18, datetimes 20). */
  widths?: readonly number[]
  /** Data rows at most (default Excel's limit minus the header). */
  maxRows?: number
}

/** What one sheet holds. */
export interface XlsxSheetResult {
  name: string
  rows: number
  /** Rows not written because the sheet reached its row limit. */
  rowsLeftOut: number
}

/** What {@link writeXlsxWorkbook} wrote. */
export interface XlsxWorkbookResult {
  file: WrittenFile
  sheets: XlsxSheetResult[]
  /** Cell-safety account over every sheet. */
  summary: TabularExportSummary
}

const BAD_SHEET_NAME = /[[\]:*?/\\]/

/** Writes the sheets, in order, to one XLSX file. */
export async function writeXlsxWorkbook(
  outPath: string,
  // Each sheet has its own row type; the writer only hands rows back to their own columns.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  sheets: readonly XlsxSheet<any>[],
  options: { timeZone?: ExportTimeZone; maxCellChars?: number } = {}
): Promise<XlsxWorkbookResult> {
  const zone = options.timeZone ?? resolveTimeZone('UTC')
  const summary = emptyTabularSummary()
  const names = new Set<string>()
  for (const sheet of sheets) {
    if (sheet.name === '' || sheet.name.length > 31 || BAD_SHEET_NAME.test(sheet.name)) {
      throw new Error(`[export] '${sheet.name}' is not a valid Excel sheet name`)
    }
    if (names.has(sheet.name.toLowerCase())) {
      throw new Error(`[export] two sheets are named '${sheet.name}'`)
    }
    names.add(sheet.name.toLowerCase())
  }
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: outPath,
    useStyles: true,
    useSharedStrings: false
  })
  const results: XlsxSheetResult[] = []
  for (const spec of sheets) {
    const formatter = new CellFormatter(
      spec.columns,
      {
        timeZone: zone,
        maxCellChars: options.maxCellChars ?? EXCEL_MAX_CELL_CHARS,
        textGuard: false
      },
      summary
    )
    const headers = formatter.headers()
    const sheet = workbook.addWorksheet(spec.name, { views: [{ state: 'frozen', ySplit: 1 }] })
    sheet.columns = spec.columns.map((c, i) => ({
      header: headers[i] ?? c.header,
      key: c.id,
      width: spec.widths?.[i] ?? (c.kind === 'datetime' ? 20 : 18),
      style: c.kind === 'datetime' ? { numFmt: DATE_FORMAT } : {}
    }))
    const maxRows = spec.maxRows ?? EXCEL_MAX_ROWS - 1
    const result: XlsxSheetResult = { name: spec.name, rows: 0, rowsLeftOut: 0 }
    for await (const row of spec.rows) {
      if (result.rows >= maxRows) {
        result.rowsLeftOut += 1
        continue
      }
      result.rows += 1
      summary.rows += 1
      const values = formatter.row(row, summary.rows).map((c) => toExcelValue(c, zone))
      sheet.addRow(values).commit()
      if (result.rows % DRAIN_EVERY_ROWS === 0) {
        await drainWorksheet(sheet)
      }
    }
    sheet.commit()
    results.push(result)
  }
  await workbook.commit()
  summary.parts = 1
  summary.rowsPerPart = [summary.rows]
  summary.isComplete = true
  return { file: await hashFile(outPath), sheets: results, summary }
}
