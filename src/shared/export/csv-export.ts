import { EXCEL_MAX_CELL_CHARS, EXCEL_MAX_ROWS } from './cell-safety'
import { CellFormatter } from './cell-formatter'
import type { PreparedCell } from './cell-formatter'
import type { ExportColumn } from './columns'
import { emptyTabularSummary } from './export-summary'
import type { TabularExportSummary } from './export-summary'
import { resolveTimeZone } from './time-zone'
import type { ExportTimeZone } from './time-zone'

/** Rows for an export: any iterable or async iterable (a store cursor, an array, a generator). */
export type RowSource<T> = AsyncIterable<T> | Iterable<T>

/** Options of {@link csvExport}. */
export interface CsvExportOptions {
  /** Zone for datetime columns and their headers; UTC by default. */
  timeZone?: ExportTimeZone
  /** Data rows per part; Excel's limit minus the header (1,048,575) by default. */
  maxRowsPerPart?: number
  /** Characters per cell; Excel's 32,767 by default. */
  maxCellChars?: number
  /** Keep ids and long numbers as text in Excel (`="…"`); on by default. */
  textGuard?: boolean
  /** Approximate characters per yielded chunk; 64 Ki by default. */
  chunkChars?: number
}

/** One piece of CSV text for part `part` (1-based). A part's first chunk starts with the BOM and header. */
export interface CsvChunk {
  part: number
  text: string
}

const BOM = '\ufeff'
const CRLF = '\r\n'

/** RFC 4180 quoting: fields with a quote, comma, CR or LF are quoted and inner quotes doubled. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

function csvLine(cells: readonly string[]): string {
  return cells.map(csvField).join(',') + CRLF
}

function cellText(cell: PreparedCell): string {
  return cell.type === 'empty' ? '' : cell.text
}

/**
 * A streaming CSV export: UTF-8 with BOM, RFC 4180 quoting, CRLF, formula injection neutralised,
 * ids and long numbers kept as text, the time zone in datetime headers, over-long cells cut with
 * a visible marker, and a new part (with its own BOM and header) every `maxRowsPerPart` rows.
 *
 * Iterate it once with `for await`; rows are pulled only as chunks are consumed, so memory holds
 * one chunk. `summary` is live and final when iteration ends.
 */
export class CsvExport<T> implements AsyncIterable<CsvChunk> {
  /** The account of the export so far. */
  readonly summary: TabularExportSummary = emptyTabularSummary()
  private isStarted = false

  constructor(
    private readonly rows: RowSource<T>,
    private readonly columns: readonly ExportColumn<T>[],
    private readonly options: CsvExportOptions = {}
  ) {
    if (columns.length === 0) {
      throw new Error('[export] a CSV export needs at least one column')
    }
    const max = options.maxRowsPerPart ?? EXCEL_MAX_ROWS - 1
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(`[export] maxRowsPerPart must be a positive integer, got ${max}`)
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<CsvChunk> {
    if (this.isStarted) {
      throw new Error('[export] a CsvExport can be iterated only once')
    }
    this.isStarted = true
    return this.run()
  }

  private async *run(): AsyncGenerator<CsvChunk> {
    const o = this.options
    const maxRows = o.maxRowsPerPart ?? EXCEL_MAX_ROWS - 1
    const chunkChars = o.chunkChars ?? 64 * 1024
    const summary = this.summary
    const formatter = new CellFormatter(
      this.columns,
      {
        timeZone: o.timeZone ?? resolveTimeZone('UTC'),
        maxCellChars: o.maxCellChars ?? EXCEL_MAX_CELL_CHARS,
        textGuard: o.textGuard ?? true
      },
      summary
    )
    const header = BOM + csvLine(formatter.headers())
    let buffer = ''
    let part = 0
    let rowsInPart = 0
    const startPart = (): void => {
      part += 1
      rowsInPart = 0
      summary.parts = part
      summary.rowsPerPart.push(0)
      buffer = header
    }
    for await (const row of this.rows) {
      if (part === 0 || rowsInPart >= maxRows) {
        if (buffer !== '') {
          yield { part, text: buffer }
        }
        startPart()
      }
      summary.rows += 1
      rowsInPart += 1
      summary.rowsPerPart[part - 1] = rowsInPart
      buffer += csvLine(formatter.row(row, summary.rows).map(cellText))
      if (buffer.length >= chunkChars) {
        yield { part, text: buffer }
        buffer = ''
      }
    }
    if (part === 0) {
      startPart()
    }
    if (buffer !== '') {
      yield { part, text: buffer }
    }
    summary.isComplete = true
  }
}

/** Starts a streaming CSV export of `rows` with `columns` (see {@link CsvExport}). */
export function csvExport<T>(
  rows: RowSource<T>,
  columns: readonly ExportColumn<T>[],
  options: CsvExportOptions = {}
): CsvExport<T> {
  return new CsvExport(rows, columns, options)
}
