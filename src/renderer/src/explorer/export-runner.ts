/**
 * Streams exactly the current view to a file, in batches, with progress and cancel: CSV through
 * the shared writer of src/shared/export (BOM, formula-injection guard, zone in the date header,
 * ids kept as text, split into parts at Excel's row limit) with the visible columns in their
 * order, or lossless NDJSON (each record's raw text and annotation) in the view's order.
 * The file goes through the File System Access API when the browser has it, else a Blob download.
 */
import type { NormalizedRecord } from '../../../shared/audit'
import {
  CellFormatter,
  csvExport,
  defaultCellFormatOptions,
  emptyTabularSummary,
  ndjsonExport,
  partFileName,
  resolveTimeZone,
  type ExportColumn,
  type PreparedCell
} from '../../../shared/export'

import { DATE_COLUMN, type GridRow, type RecordsPage } from './query-types'
import type { ExplorerColumn, TimeZoneMode } from './explorer-columns'

const BATCH = 2000
const ID_COLUMNS = new Set(['id', 'organizationId', 'objectId'])

export type ExportFormat = 'csv' | 'ndjson' | 'xlsx'

/**
 * The most rows an XLSX export from the app takes: the workbook is built in memory (ExcelJS's
 * browser build has no streaming writer). Larger views: CSV, or `cax export --format xlsx`, which
 * streams.
 */
export const XLSX_MAX_ROWS_IN_APP = 200_000

/** Where the exported text (or, for XLSX, bytes) goes. */
export interface ExportSink {
  write(data: string | Uint8Array<ArrayBuffer>): Promise<void>
  close(): Promise<void>
  abort(): Promise<void>
}

export interface ExportJob {
  format: ExportFormat
  /** The visible columns, in grid order (CSV). */
  columns: readonly ExplorerColumn[]
  timeZone: TimeZoneMode
  fetchRows(start: number, end: number): Promise<{ total: number; rows: GridRow[] }>
  fetchRecords(start: number, end: number): Promise<RecordsPage>
  /** Opens part `part` (1-based) of the file; null when the user cancelled the save dialog. */
  openSink(part: number): Promise<ExportSink | null>
  signal: AbortSignal
  onProgress(done: number, total: number): void
}

/** The shared writer's columns for the grid's columns: the date as a datetime, ids as ids. */
export function exportColumns(
  columns: readonly ExplorerColumn[],
  timeZone: TimeZoneMode
): ExportColumn<GridRow>[] {
  return columns.map((column) =>
    column.colId === DATE_COLUMN
      ? { id: column.colId, header: 'Date', kind: 'datetime', get: (row) => row.createdAtMs }
      : {
          id: column.colId,
          header: column.headerName,
          kind: ID_COLUMNS.has(column.colId) ? 'id' : 'text',
          get: (row) => column.text(row, timeZone)
        }
  )
}

async function* pages<T>(
  fetch: (start: number, end: number) => Promise<{ total: number; items: T[] }>,
  job: ExportJob
): AsyncGenerator<T> {
  let done = 0
  let total = Infinity
  while (done < total && !job.signal.aborted) {
    const page = await fetch(done, done + BATCH)
    total = page.total
    if (page.items.length === 0) {
      return
    }
    for (const item of page.items) {
      yield item
    }
    done += page.items.length
    job.onProgress(done, total)
  }
}

/** Runs an export; resolves with the number of rows written, 'cancelled', or null (no file chosen). */
export async function runExport(job: ExportJob): Promise<number | 'cancelled' | null> {
  let sink = await job.openSink(1)
  if (!sink) {
    return null
  }
  let part = 1
  let written = 0
  try {
    if (job.format === 'csv') {
      const rows = pages(async (s, e) => {
        const page = await job.fetchRows(s, e)
        return { total: page.total, items: page.rows }
      }, job)
      const exporter = csvExport(rows, exportColumns(job.columns, job.timeZone), {
        timeZone: resolveTimeZone(job.timeZone === 'utc' ? 'UTC' : 'local')
      })
      for await (const chunk of exporter) {
        if (chunk.part !== part) {
          await sink.close()
          part = chunk.part
          sink = await job.openSink(part)
          if (!sink) {
            return 'cancelled'
          }
        }
        await sink.write(chunk.text)
      }
      written = exporter.summary.rows
    } else if (job.format === 'xlsx') {
      const first = await job.fetchRows(0, 0)
      if (first.total > XLSX_MAX_ROWS_IN_APP) {
        throw new Error(
          `XLSX from the app takes up to ${XLSX_MAX_ROWS_IN_APP.toLocaleString()} rows and this view has ${first.total.toLocaleString()}. Export CSV instead, or use \`cax export --format xlsx\`, which has no such limit.`
        )
      }
      const rows = pages(async (s, e) => {
        const page = await job.fetchRows(s, e)
        return { total: page.total, items: page.rows }
      }, job)
      const bytes = await xlsxWorkbook(rows, exportColumns(job.columns, job.timeZone), job)
      if (bytes) {
        await sink.write(bytes.data)
        written = bytes.rows
      }
    } else {
      let notes: RecordsPage['annotations'] = {}
      const records = pages<NormalizedRecord>(async (s, e) => {
        const page = await job.fetchRecords(s, e)
        notes = page.annotations
        return { total: page.total, items: page.records }
      }, job)
      const exporter = ndjsonExport(records, (id) => notes[id])
      for await (const text of exporter) {
        await sink.write(text)
      }
      written = exporter.summary.records
    }
    if (job.signal.aborted) {
      await sink.abort()
      return 'cancelled'
    }
    await sink.close()
    return written
  } catch (error) {
    await sink?.abort()
    throw error
  }
}

interface SaveFilePickerWindow {
  showSaveFilePicker?: (options: {
    suggestedName: string
    types: { description: string; accept: Record<string, string[]> }[]
  }) => Promise<{
    createWritable(): Promise<{
      write(data: string | Uint8Array<ArrayBuffer>): Promise<void>
      close(): Promise<void>
      abort(): Promise<void>
    }>
  }>
}

const MIME: Record<ExportFormat, string> = {
  csv: 'text/csv',
  ndjson: 'application/x-ndjson',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
}

function xlsxValue(cell: PreparedCell): string | number | boolean | null {
  switch (cell.type) {
    case 'empty':
      return null
    case 'number':
    case 'boolean':
      return cell.value
    default:
      // Dates as the wall-clock text of the chosen zone (named in the header), ids as text.
      return cell.text
  }
}

/**
 * Builds an XLSX workbook of the rows with the same cell rules as CSV (formula neutralisation,
 * Excel's cell length, the zone in the date header); null when cancelled.
 */
async function xlsxWorkbook<T>(
  rows: AsyncIterable<T>,
  columns: ExportColumn<T>[],
  job: ExportJob
): Promise<{ data: Uint8Array<ArrayBuffer>; rows: number } | null> {
  const { default: ExcelJS } = await import('exceljs')
  const zone = resolveTimeZone(job.timeZone === 'utc' ? 'UTC' : 'local')
  const summary = emptyTabularSummary()
  const formatter = new CellFormatter(
    columns,
    { ...defaultCellFormatOptions(zone), textGuard: false },
    summary
  )
  const workbook = new ExcelJS.Workbook()
  const sheet = workbook.addWorksheet('Audit', { views: [{ state: 'frozen', ySplit: 1 }] })
  sheet.addRow(formatter.headers()).font = { bold: true }
  let count = 0
  for await (const row of rows) {
    count += 1
    const added = sheet.addRow(formatter.row(row, count).map(xlsxValue))
    // Text cells stay text: Excel must not turn an id into a number or a date.
    added.eachCell((cell) => {
      if (typeof cell.value === 'string') {
        cell.numFmt = '@'
      }
    })
  }
  if (job.signal.aborted) {
    return null
  }
  const buffer = await workbook.xlsx.writeBuffer()
  return { data: new Uint8Array(buffer as ArrayBuffer), rows: count }
}

/**
 * A sink for a file: the save dialog of the File System Access API when available (streams to
 * disk), else an in-memory Blob downloaded at the end. Null when the user cancelled the dialog.
 */
export async function openFileSink(
  fileName: string,
  format: ExportFormat
): Promise<ExportSink | null> {
  const picker = (window as unknown as SaveFilePickerWindow).showSaveFilePicker
  if (picker) {
    try {
      const handle = await picker({
        suggestedName: fileName,
        types: [{ description: format.toUpperCase(), accept: { [MIME[format]]: [`.${format}`] } }]
      })
      const stream = await handle.createWritable()
      return {
        write: (data) => stream.write(data),
        close: () => stream.close(),
        abort: () => stream.abort()
      }
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') {
        return null
      }
      throw error
    }
  }
  return blobSink(fileName, MIME[format])
}

/** Collects the text and downloads it as a file when closed. */
export function blobSink(fileName: string, mimeType: string): ExportSink {
  let parts: BlobPart[] = []
  return {
    write: async (data) => {
      parts.push(data)
    },
    close: async () => {
      const url = URL.createObjectURL(new Blob(parts, { type: mimeType }))
      parts = []
      const link = document.createElement('a')
      link.href = url
      link.download = fileName
      link.click()
      setTimeout(() => URL.revokeObjectURL(url), 60_000)
    },
    abort: async () => {
      parts = []
    }
  }
}

/** The file name of a part of an export. */
export function exportFileName(base: string, format: ExportFormat, part: number): string {
  return partFileName(`${base}.${format}`, part)
}
