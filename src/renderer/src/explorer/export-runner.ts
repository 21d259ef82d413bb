/**
 * Streams exactly the current view to a file, in batches, with progress and cancel: CSV through
 * the shared writer of src/shared/export (BOM, formula-injection guard, zone in the date header,
 * ids kept as text, split into parts at Excel's row limit) with the visible columns in their
 * order, or lossless NDJSON (each record's raw text and annotation) in the view's order.
 * The file goes through the File System Access API when the browser has it, else a Blob download.
 */
import type { NormalizedRecord } from '../../../shared/audit'
import {
  csvExport,
  ndjsonExport,
  partFileName,
  resolveTimeZone,
  type ExportColumn
} from '../../../shared/export'

import { DATE_COLUMN, type GridRow, type RecordsPage } from './query-types'
import type { ExplorerColumn, TimeZoneMode } from './explorer-columns'

const BATCH = 2000
const ID_COLUMNS = new Set(['id', 'organizationId', 'objectId'])

export type ExportFormat = 'csv' | 'ndjson'

/** Where the exported text goes. */
export interface ExportSink {
  write(text: string): Promise<void>
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
      write(data: string): Promise<void>
      close(): Promise<void>
      abort(): Promise<void>
    }>
  }>
}

const MIME: Record<ExportFormat, string> = {
  csv: 'text/csv',
  ndjson: 'application/x-ndjson'
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
        write: (text) => stream.write(text),
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
  let parts: string[] = []
  return {
    write: async (text) => {
      parts.push(text)
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
