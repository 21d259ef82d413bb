/**
 * The account every tabular export (CSV, XLSX) keeps while it runs.
 */

/** One cell cut at the length limit. */
export interface CellTruncation {
  /** 1-based data row over the whole export (header not counted). */
  row: number
  column: string
  /** Characters removed. */
  removed: number
}

/** Live and, once iteration ends, final account of a tabular export. */
export interface TabularExportSummary {
  /** Data rows written (all parts). */
  rows: number
  /** Files (parts) begun. */
  parts: number
  /** Data rows in each part, in order. */
  rowsPerPart: number[]
  /** Cells cut at the cell-length limit (each with a visible marker). */
  truncatedCells: number
  /** The first {@link MAX_KEPT_TRUNCATIONS} cuts, to name them in a report. */
  truncations: CellTruncation[]
  /** Cells that got a leading apostrophe against formula injection. */
  neutralizedCells: number
  /** Cells written as text formulas so Excel keeps ids and long numbers as text (CSV only). */
  textGuardedCells: number
  /** True once every row has been written. */
  isComplete: boolean
}

/** How many truncations a summary lists in full. */
export const MAX_KEPT_TRUNCATIONS = 100

/** A fresh, empty summary. */
export function emptyTabularSummary(): TabularExportSummary {
  return {
    rows: 0,
    parts: 0,
    rowsPerPart: [],
    truncatedCells: 0,
    truncations: [],
    neutralizedCells: 0,
    textGuardedCells: 0,
    isComplete: false
  }
}

/**
 * The file name of part `part` (1-based): part 1 keeps the name, later parts get `-part2`,
 * `-part3`… before the extension (`audit.csv` → `audit-part2.csv`). Works on `/` and `\` paths.
 */
export function partFileName(path: string, part: number): string {
  if (part <= 1) {
    return path
  }
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'))
  const dot = path.lastIndexOf('.')
  if (dot <= slash + 1) {
    return `${path}-part${part}`
  }
  return `${path.slice(0, dot)}-part${part}${path.slice(dot)}`
}
