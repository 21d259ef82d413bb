import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'

import { parse } from 'csv-parse'
import type { CsvError, Options } from 'csv-parse'

import type { CsvColumns } from './detect-format'
import type { SplitItem } from './json-record-splitter'

/**
 * Reads the rows of a CSV audit export as a stream (reference/audit-events.md §12): csv-parse
 * does the RFC 4180 work (quoted commas, doubled quotes, line breaks inside cells), we count
 * physical lines ourselves (csv-parse's own line count drifts on CRLF inside quoted cells) and
 * pick the `AuditData` cell out of each row by header name.
 */

/** One CSV row's audit record, or a refused row. */
export type CsvItem =
  | { kind: 'record'; line: number; text: string; fallbackId: string; csvCreationDate: string }
  | Extract<SplitItem, { kind: 'reject' }>

const EXCERPT = 120

interface CsvRow {
  record: string[]
  line: number
}

/**
 * Yields the audit record of each data row of a CSV export, in file order, with the 1-based line
 * each row starts on. Skips the `#TYPE` line, the header and blank lines; refuses (with the
 * line) rows without AuditData, rows whose quoted cell never closes (a truncated last line) and
 * rows csv-parse cannot read. Back-pressure flows from the consumer to `text`.
 */
export async function* readCsvAuditRows(
  text: AsyncIterable<string>,
  columns: CsvColumns,
  options: { maxRecordChars: number }
): AsyncGenerator<CsvItem> {
  const pending: CsvItem[] = []
  let cursor = 1
  let hasHeader = false
  let hasTypeLine = false

  const parserOptions: Options<CsvRow, string[] | { record: string[] }> = {
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: false,
    // Both, whatever the first line used: files get concatenated, and the size guard writes LF.
    record_delimiter: ['\r\n', '\n'],
    skip_records_with_error: true,
    raw: true,
    // With `raw: true` csv-parse hands on_record `{ record, raw }` rather than the bare row.
    on_record: (row: string[] | { record: string[] }) => {
      const record = Array.isArray(row) ? row : row.record
      const line = cursor
      cursor += 1
      for (const field of record) {
        cursor += countLineBreaks(field)
      }
      return { record, line }
    },
    on_skip: (error: CsvError | undefined, raw: string | undefined) => {
      const line = cursor
      cursor += countLineBreaks(raw ?? '')
      const code = error?.code ?? 'unknown'
      const lastLine = line + countLineBreaks((raw ?? '').replace(/(\r\n|\n|\r)$/, ''))
      pending.push({
        kind: 'reject',
        line,
        code: code === 'CSV_QUOTE_NOT_CLOSED' ? 'truncated' : 'malformed-csv',
        reason:
          code === 'CSV_QUOTE_NOT_CLOSED'
            ? `truncated row: a quoted cell is not closed before the end of the file${lastLine > line ? ` (lines ${line}–${lastLine} were read as this one row)` : ''}`
            : `malformed CSV row (${code})`,
        excerpt: (raw ?? '').slice(0, EXCERPT)
      })
      return undefined
    }
  }
  // csv-parse types on_record's result as the row type only through the generic Options.
  const parser = parse(parserOptions as unknown as Options)

  const oversized = new Set<number>()
  const source = Readable.from(guardRecordSize(text, options.maxRecordChars, oversized), {
    objectMode: false
  })
  const done = pipeline(source, parser)
  // The loop below reports the failure; this only keeps the rejection from being unhandled.
  done.catch(() => undefined)

  for await (const row of parser as AsyncIterable<CsvRow>) {
    const { record, line } = row
    // on_skip runs while csv-parse reads ahead: release its rejections in line order.
    while (pending.length > 0 && (pending[0]?.line ?? 0) < line) {
      yield pending.shift() as CsvItem
    }
    if (!hasHeader) {
      if (!hasTypeLine && (record[0] ?? '').startsWith('#TYPE')) {
        hasTypeLine = true
        continue
      }
      if (isBlank(record)) {
        continue
      }
      hasHeader = true
      continue
    }
    if (record.length === 1 && record[0] === '') {
      continue // a blank line
    }
    const excerpt = record.join(',').slice(0, EXCERPT)
    if (oversized.has(line)) {
      yield {
        kind: 'reject',
        line,
        code: 'record-too-large',
        reason: `row larger than ${options.maxRecordChars} characters`,
        excerpt
      }
      continue
    }
    if (isBlank(record)) {
      yield { kind: 'reject', line, code: 'audit-data-missing', reason: 'empty row', excerpt }
      continue
    }
    const auditData = record[columns.auditData]
    if (auditData === undefined) {
      yield {
        kind: 'reject',
        line,
        code: 'audit-data-missing',
        reason: `row has ${record.length} of ${columns.header.length} columns and no AuditData (truncated row?)`,
        excerpt
      }
      continue
    }
    if (auditData.trim() === '') {
      yield {
        kind: 'reject',
        line,
        code: 'audit-data-missing',
        reason: 'AuditData is empty',
        excerpt
      }
      continue
    }
    yield {
      kind: 'record',
      line,
      text: auditData,
      fallbackId: columns.recordId === null ? '' : (record[columns.recordId] ?? ''),
      csvCreationDate: columns.creationDate === null ? '' : (record[columns.creationDate] ?? '')
    }
  }
  await done
  while (pending.length > 0) {
    yield pending.shift() as CsvItem
  }
}

function isBlank(record: string[]): boolean {
  return record.every((field) => field.trim() === '')
}

/** Line breaks in a cell: CRLF, LF or a lone CR each count once. */
function countLineBreaks(text: string): number {
  let count = 0
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
    count += 1
  }
  for (let i = text.indexOf('\r'); i >= 0; i = text.indexOf('\r', i + 1)) {
    if (text.charCodeAt(i + 1) !== 10) {
      count += 1
    }
  }
  return count
}

/**
 * Bounds the memory one CSV row can take. csv-parse's own `max_record_size` stops the whole
 * parse at the first oversized row (checked with csv-parse 7.0.3), so the limit is enforced
 * here: once a row passes `max` characters its remaining text is replaced by its line breaks
 * alone (so line numbers stay right), a still-open quoted cell is closed, and the row's start
 * line is added to `oversized` for the reader to refuse it. Row boundaries are found by quote
 * parity, which RFC 4180 quoting (doubled quotes) keeps exact.
 */
async function* guardRecordSize(
  text: AsyncIterable<string>,
  max: number,
  oversized: Set<number>
): AsyncGenerator<string> {
  let line = 1
  let recordLine = 1
  let chars = 0
  let isInQuotes = false
  let isSkipping = false
  for await (const chunk of text) {
    const parts: string[] = []
    let keepFrom = 0
    for (let i = 0; i < chunk.length; i += 1) {
      const c = chunk.charCodeAt(i)
      if (c === 34) {
        isInQuotes = !isInQuotes
      }
      if (c === 10) {
        line += 1
        if (isSkipping) {
          parts.push('\n')
        }
        if (!isInQuotes) {
          if (isSkipping) {
            isSkipping = false
            keepFrom = i + 1
          }
          chars = 0
          recordLine = line
        }
        continue
      }
      if (isSkipping) {
        continue
      }
      chars += 1
      if (chars > max) {
        parts.push(chunk.slice(keepFrom, i))
        if (isInQuotes) {
          parts.push('"')
        }
        isSkipping = true
        oversized.add(recordLine)
      }
    }
    if (!isSkipping) {
      parts.push(chunk.slice(keepFrom))
    }
    const out = parts.join('')
    if (out !== '') {
      yield out
    }
  }
}
