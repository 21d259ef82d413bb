import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'

import ExcelJS from 'exceljs'

import {
  CellFormatter,
  EXCEL_MAX_CELL_CHARS,
  EXCEL_MAX_ROWS,
  emptyTabularSummary,
  partFileName,
  resolveTimeZone,
  wallClock
} from '../../../shared/export'
import type {
  ExportColumn,
  ExportTimeZone,
  PreparedCell,
  RowSource,
  TabularExportSummary
} from '../../../shared/export'

import { createOwnerOnlyWriteStream, type WrittenFile } from './file-sinks'

/**
 * Streaming XLSX export through ExcelJS's `stream.xlsx.WorkbookWriter` (Node-only, so it lives in
 * main). Each row is committed as it is written: memory stays flat on a million rows. The same
 * cell rules as CSV apply (shared CellFormatter): formula neutralisation, the 32,767-character
 * limit with a visible marker, the zone in datetime headers; ids are string cells, so they stay
 * text without CSV's `="…"` guard.
 */

/** Options of {@link writeXlsxExport}. */
export interface XlsxExportOptions {
  timeZone?: ExportTimeZone
  /** Data rows per file; Excel's limit minus the header by default. */
  maxRowsPerPart?: number
  maxCellChars?: number
  /** Worksheet name; `Audit` by default. */
  sheetName?: string
}

/** What {@link writeXlsxExport} wrote. */
export interface XlsxExportResult {
  summary: TabularExportSummary
  files: WrittenFile[]
}

/** Excel number format of datetime cells. */
export const DATE_FORMAT = 'yyyy-mm-dd hh:mm:ss'

/** An ExcelJS value for a prepared cell (datetimes as wall-clock time in the export zone). */
export function toExcelValue(cell: PreparedCell, zone: ExportTimeZone): ExcelJS.CellValue {
  switch (cell.type) {
    case 'empty':
      return null
    case 'text':
      return cell.text
    case 'number':
    case 'boolean':
      return cell.value
    case 'datetime': {
      // Excel dates have no zone: write the wall-clock time of the export zone (named in the header).
      const w = wallClock(cell.ms, zone)
      return new Date(
        Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond)
      )
    }
  }
}

/** Uncompressed sheet XML allowed to wait for the zip before rows stop being added. */
const MAX_PENDING_BYTES = 4 * 1024 * 1024

interface StreamState {
  length?: number
}

/**
 * Waits until the zip has taken most of what a streamed worksheet wrote.
 *
 * ExcelJS's `WorkbookWriter` has no back-pressure: a committed row goes into the sheet's
 * StreamBuf, which writes it to the archiver entry's PassThrough without waiting, so on a
 * million rows the whole uncompressed sheet (over a gigabyte) piles up there before deflate
 * catches up (measured: peak RSS grows with the row count; with this wait it stays flat and the
 * write is no slower). The PassThrough is ExcelJS/archiver internals: when they are not there
 * (another ExcelJS version), this returns at once and the write is as before.
 */
export async function drainWorksheet(sheet: ExcelJS.Worksheet): Promise<void> {
  const pipes = (sheet as unknown as { _stream?: { pipes?: unknown[] } })._stream?.pipes
  if (!Array.isArray(pipes)) {
    return
  }
  const pending = (): number =>
    pipes.reduce<number>((n, p) => {
      const s = p as { _writableState?: StreamState; _readableState?: StreamState }
      return n + (s._writableState?.length ?? 0) + (s._readableState?.length ?? 0)
    }, 0)
  while (pending() > MAX_PENDING_BYTES) {
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
}

/** Rows between two {@link drainWorksheet} waits. */
export const DRAIN_EVERY_ROWS = 1000

/** Size and SHA-256 of a written file. */
export async function hashFile(path: string): Promise<WrittenFile> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer)
  }
  return { path, bytes: (await stat(path)).size, sha256: hash.digest('hex') }
}

/**
 * Writes `rows` to `outPath` as XLSX, starting `-part2.xlsx`… when a part reaches the row limit.
 */
export async function writeXlsxExport<T>(
  rows: RowSource<T>,
  columns: readonly ExportColumn<T>[],
  outPath: string,
  options: XlsxExportOptions = {}
): Promise<XlsxExportResult> {
  if (columns.length === 0) {
    throw new Error('[export] an XLSX export needs at least one column')
  }
  const maxRows = options.maxRowsPerPart ?? EXCEL_MAX_ROWS - 1
  const zone = options.timeZone ?? resolveTimeZone('UTC')
  const summary = emptyTabularSummary()
  const formatter = new CellFormatter(
    columns,
    {
      timeZone: zone,
      maxCellChars: options.maxCellChars ?? EXCEL_MAX_CELL_CHARS,
      textGuard: false
    },
    summary
  )
  const headers = formatter.headers()
  const paths: string[] = []
  let workbook: ExcelJS.stream.xlsx.WorkbookWriter | null = null
  let sheet: ExcelJS.Worksheet | null = null
  let rowsInPart = 0

  const startPart = (): void => {
    const path = partFileName(outPath, paths.length + 1)
    paths.push(path)
    workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: createOwnerOnlyWriteStream(path),
      useStyles: true,
      useSharedStrings: false
    })
    sheet = workbook.addWorksheet(options.sheetName ?? 'Audit', {
      views: [{ state: 'frozen', ySplit: 1 }]
    })
    sheet.columns = columns.map((c, i) => ({
      header: headers[i] ?? c.header,
      key: c.id,
      width: c.kind === 'datetime' ? 20 : 18,
      style: c.kind === 'datetime' ? { numFmt: DATE_FORMAT } : {}
    }))
    rowsInPart = 0
    summary.parts += 1
    summary.rowsPerPart.push(0)
  }
  const finishPart = async (): Promise<void> => {
    if (workbook) {
      ;(sheet as ExcelJS.Worksheet | null)?.commit()
      await (workbook as ExcelJS.stream.xlsx.WorkbookWriter).commit()
      workbook = null
      sheet = null
    }
  }

  for await (const row of rows) {
    if (sheet === null || rowsInPart >= maxRows) {
      await finishPart()
      startPart()
    }
    summary.rows += 1
    rowsInPart += 1
    summary.rowsPerPart[summary.parts - 1] = rowsInPart
    const values = formatter.row(row, summary.rows).map((c) => toExcelValue(c, zone))
    ;(sheet as unknown as ExcelJS.Worksheet).addRow(values).commit()
    if (rowsInPart % DRAIN_EVERY_ROWS === 0) {
      await drainWorksheet(sheet as unknown as ExcelJS.Worksheet)
    }
  }
  if (sheet === null) {
    startPart()
  }
  await finishPart()
  summary.isComplete = true
  const files: WrittenFile[] = []
  for (const p of paths) {
    files.push(await hashFile(p))
  }
  return { summary, files }
}
