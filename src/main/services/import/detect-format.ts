import { parse as parseCsvSync } from 'csv-parse/sync'

import { ImportFormatError } from './import-types'
import type { ImportEncoding, ImportFormat } from './import-types'

/**
 * Detecting an audit file's encoding and layout from its first bytes (reference/audit-events.md
 * §12.3): BOM sniffing, a `#TYPE` line, header names (case-insensitive, never positions), or
 * the first character of JSON.
 */

/** How many bytes the importer reads before deciding what the file is. */
export const SNIFF_BYTES = 64 * 1024

/** The columns of a CSV export that the importer uses, by index in the header. */
export interface CsvColumns {
  /** Every header cell, as written. */
  header: string[]
  auditData: number
  /** Purview `RecordId` or Search-UnifiedAuditLog `Identity`: used when AuditData has no Id. */
  recordId: number | null
  /** `CreationDate`, kept as provenance only (§12.2). */
  creationDate: number | null
}

/** What the start of a file says about it. */
export type DetectedFormat =
  | { format: Extract<ImportFormat, `${string}-csv` | 'purview-csv-classic'>; csv: CsvColumns }
  | { format: 'json-array' | 'ndjson' | 'json-concatenated'; csv: null }

/**
 * The encoding of a file from its first bytes: a BOM decides (UTF-8, UTF-16LE, UTF-16BE);
 * without one, UTF-8 unless the sample is not valid UTF-8, then Windows-1252.
 *
 * `isCut` says the sample stops before the end of the file, so a character split at its end is
 * not an error. Throws {@link ImportFormatError} for compressed archives and binary data.
 */
export function detectEncoding(head: Uint8Array, isCut = false): ImportEncoding {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) {
    return 'utf-8'
  }
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) {
    return 'utf-16le'
  }
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) {
    return 'utf-16be'
  }
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    throw new ImportFormatError(
      'import/unsupported',
      'This is a gzip-compressed file. Decompress it first, then import the CSV or JSON inside.',
      'gzip data (1F 8B)'
    )
  }
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 3 && head[3] === 4) {
    return throwZip()
  }
  if (head.includes(0)) {
    throw new ImportFormatError(
      'import/unsupported',
      'This file holds binary data (NUL bytes), not a CSV or JSON audit export.',
      'binary data'
    )
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: isCut })
    return 'utf-8'
  } catch {
    return 'windows-1252'
  }
}

function throwZip(): never {
  throw new ImportFormatError(
    'import/unsupported',
    'This is a ZIP archive (an .xlsx workbook or a zipped export). Save or extract it as CSV first.',
    'ZIP data (PK)'
  )
}

/**
 * The layout of a file from its decoded first characters.
 *
 * Throws {@link ImportFormatError} naming what was seen when the file is empty, is a CSV
 * without an `AuditData` column, or is neither CSV nor JSON.
 */
export function detectFormat(headText: string): DetectedFormat {
  const text = headText.replace(/^\uFEFF/, '')
  const start = text.trimStart()
  if (start === '') {
    throw new ImportFormatError('import/empty', 'The file is empty.', '')
  }
  if (start.startsWith('[')) {
    return { format: 'json-array', csv: null }
  }
  if (start.startsWith('{')) {
    const newline = start.indexOf('\n')
    const firstLine = (newline < 0 ? start : start.slice(0, newline)).trim()
    if (newline < 0 || isJsonObject(firstLine)) {
      return { format: 'ndjson', csv: null }
    }
    return { format: 'json-concatenated', csv: null }
  }
  const lines = start.split(/\r\n|\n|\r/, 3)
  let headerLine = lines[0] ?? ''
  const hasTypeLine = headerLine.startsWith('#TYPE')
  if (hasTypeLine) {
    headerLine = lines[1] ?? ''
  }
  const header = parseHeader(headerLine)
  const folded = header.map((name) => name.trim().toLowerCase())
  const col = (name: string): number | null => {
    const i = folded.indexOf(name.toLowerCase())
    return i < 0 ? null : i
  }
  const auditData = col('AuditData')
  if (auditData === null) {
    const seen = shorten(headerLine)
    const looksLikeCsv = header.length > 1
    throw new ImportFormatError(
      'import/unknown-format',
      looksLikeCsv
        ? `This CSV has no AuditData column, so it is not an audit log export. Its header is: ${seen}`
        : `Unrecognised file: expected a CSV audit export (with an AuditData column), a JSON array or NDJSON of audit records, but the file starts with: ${seen}`,
      seen
    )
  }
  const columns: CsvColumns = {
    header,
    auditData,
    recordId: col('RecordId') ?? col('Identity'),
    creationDate: col('CreationDate')
  }
  if (col('RecordId') !== null) {
    return { format: 'purview-csv', csv: columns }
  }
  if (hasTypeLine || (col('Identity') !== null && col('ResultIndex') !== null)) {
    return { format: 'search-ual-csv', csv: columns }
  }
  const classic = ['creationdate', 'userids', 'operations', 'auditdata']
  if (folded.length === 4 && classic.every((name) => folded.includes(name))) {
    return { format: 'purview-csv-classic', csv: columns }
  }
  return { format: 'generic-csv', csv: columns }
}

function parseHeader(line: string): string[] {
  try {
    const rows = parseCsvSync(line, { relax_quotes: true, relax_column_count: true }) as string[][]
    return rows[0] ?? []
  } catch {
    return line.split(',')
  }
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null && !Array.isArray(value)
  } catch {
    return false
  }
}

function shorten(text: string): string {
  const printable = Array.from(text, (ch) => (ch.charCodeAt(0) < 32 ? '?' : ch)).join('')
  return printable.length > 160 ? `"${printable.slice(0, 160)}…"` : `"${printable}"`
}
