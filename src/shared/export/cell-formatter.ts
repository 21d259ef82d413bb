import {
  EXCEL_MAX_CELL_CHARS,
  excelTextFormula,
  limitCellLength,
  needsTextGuard,
  neutralizeFormula
} from './cell-safety'
import type { CellValue, ExportColumn } from './columns'
import { MAX_KEPT_TRUNCATIONS } from './export-summary'
import type { TabularExportSummary } from './export-summary'
import { formatInstant } from './time-zone'
import type { ExportTimeZone } from './time-zone'

/** A cell ready for a writer. */
export type PreparedCell =
  | { type: 'empty' }
  | { type: 'text'; text: string }
  | { type: 'number'; value: number; text: string }
  | { type: 'boolean'; value: boolean; text: string }
  /** `ms`: UTC epoch ms; `text`: wall-clock time in the export zone. */
  | { type: 'datetime'; ms: number; text: string }

/** Options shared by the tabular writers. */
export interface CellFormatOptions {
  timeZone: ExportTimeZone
  maxCellChars: number
  /** CSV: wrap ids and long numbers as `="…"` so Excel keeps them as text. */
  textGuard: boolean
}

/**
 * Turns getter values into safe cells, applying the shared safety rules in a fixed order —
 * formula neutralisation, then the length limit, then (CSV) the text guard — and counting each
 * into the summary.
 */
export class CellFormatter<T> {
  constructor(
    private readonly columns: readonly ExportColumn<T>[],
    private readonly options: CellFormatOptions,
    private readonly summary: TabularExportSummary
  ) {}

  /** Headers, datetime columns with the zone label: `CreationTime (UTC)`. */
  headers(): string[] {
    return this.columns.map((c) =>
      neutralizeFormula(
        c.kind === 'datetime' ? `${c.header} (${this.options.timeZone.label})` : c.header
      )
    )
  }

  /** Prepares every cell of one row; `rowNumber` is 1-based over the whole export. */
  row(row: T, rowNumber: number): PreparedCell[] {
    return this.columns.map((c) => this.cell(c, c.get(row), rowNumber))
  }

  private cell(column: ExportColumn<T>, value: CellValue, rowNumber: number): PreparedCell {
    if (value === null || value === undefined || value === '') {
      return { type: 'empty' }
    }
    if (column.kind === 'datetime' && typeof value === 'number') {
      return { type: 'datetime', ms: value, text: formatInstant(value, this.options.timeZone) }
    }
    if (typeof value === 'boolean') {
      return { type: 'boolean', value, text: value ? 'TRUE' : 'FALSE' }
    }
    if (
      typeof value === 'number' &&
      column.kind === 'number' &&
      Number.isFinite(value) &&
      Math.abs(value) <= Number.MAX_SAFE_INTEGER
    ) {
      return { type: 'number', value, text: String(value) }
    }
    const original = String(value)
    let text = neutralizeFormula(original)
    if (text !== original) {
      this.summary.neutralizedCells += 1
    }
    const limited = limitCellLength(text, this.options.maxCellChars)
    if (limited.removed > 0) {
      text = limited.value
      this.summary.truncatedCells += 1
      if (this.summary.truncations.length < MAX_KEPT_TRUNCATIONS) {
        this.summary.truncations.push({
          row: rowNumber,
          column: column.id,
          removed: limited.removed
        })
      }
    }
    if (this.options.textGuard && text === original && needsTextGuard(text, column.kind === 'id')) {
      this.summary.textGuardedCells += 1
      return { type: 'text', text: excelTextFormula(text) }
    }
    return { type: 'text', text }
  }
}

/** Default cell options: UTC, Excel's cell limit, text guard on. */
export function defaultCellFormatOptions(timeZone: ExportTimeZone): CellFormatOptions {
  return { timeZone, maxCellChars: EXCEL_MAX_CELL_CHARS, textGuard: true }
}
