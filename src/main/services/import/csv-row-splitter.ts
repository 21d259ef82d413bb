import type { SplitItem } from './json-record-splitter'

/**
 * Cuts the text of a CSV export into rows, without parsing cells (reference/audit-events.md
 * §12): RFC 4180 quoting (a cell is quoted only when its first character is `"`, and `""`
 * inside it is a quote) decides which line breaks end a row. It keeps the 1-based line each row
 * starts on (counting line breaks inside quoted cells, CRLF, LF or a lone CR once each), holds
 * at most one row in memory and refuses a row past `maxRecordChars` without holding it.
 *
 * Why not a CSV library here: this runs on the import's main thread for every byte of the file,
 * and all it has to find is where rows end; cells are read in the normalize workers
 * ({@link parseCsvRow}). Measured on a realistic 1.6 GB export, csv-parse, PapaParse and
 * csv-parser all cost as much as this cut plus the cell reading together several times over
 * (bench/import-csv.bench.mjs reports the csv-parse floor next to the import).
 */

/** One row of text (its line break removed), or a refused stretch. */
export type CsvRowItem =
  { kind: 'row'; line: number; text: string } | Extract<SplitItem, { kind: 'reject' }>

const QUOTE = 34
const COMMA = 44
const EXCERPT = 120

/** Feed decoded text with {@link push}, then call {@link end}; each returns the items completed. */
export class CsvRowSplitter {
  /** Line the current row starts on. */
  private line = 1
  private pieces: string[] = []
  private held = 0
  private isInQuotes = false
  /** The previous chunk ended on a `"` inside a quoted cell: the next character decides. */
  private isQuotePending = false
  /** The next character starts a cell (row start or after a comma). */
  private isAtCellStart = true
  /** The current row passed the size limit: its text is dropped, its line breaks counted. */
  private isOversized = false
  private oversizedBreaks = 0
  private excerpt = ''

  constructor(private readonly maxRecordChars: number) {}

  /** Splits the next chunk of text. */
  push(chunk: string): CsvRowItem[] {
    const out: CsvRowItem[] = []
    const n = chunk.length
    let i = 0
    let rowStart = 0
    if (this.isQuotePending && n > 0) {
      this.isQuotePending = false
      if (chunk.charCodeAt(0) === QUOTE) {
        i = 1 // an escaped quote split across chunks
      } else {
        this.isInQuotes = false
        this.isAtCellStart = false
      }
    }
    while (i < n) {
      if (this.isInQuotes) {
        const q = chunk.indexOf('"', i)
        if (q < 0) {
          i = n
          break
        }
        if (q === n - 1) {
          this.isQuotePending = true
          i = n
          break
        }
        if (chunk.charCodeAt(q + 1) === QUOTE) {
          i = q + 2
          continue
        }
        this.isInQuotes = false
        this.isAtCellStart = false
        i = q + 1
        continue
      }
      const nl = chunk.indexOf('\n', i)
      const end = nl < 0 ? n : nl
      let q = chunk.indexOf('"', i)
      let opens = -1
      while (q >= 0 && q < end) {
        if (q === i ? this.isAtCellStart : chunk.charCodeAt(q - 1) === COMMA) {
          opens = q
          break
        }
        q = chunk.indexOf('"', q + 1) // a quote inside an unquoted cell is text (relaxed)
      }
      if (opens >= 0) {
        this.isInQuotes = true
        i = opens + 1
        continue
      }
      if (nl < 0) {
        this.isAtCellStart = chunk.charCodeAt(n - 1) === COMMA
        i = n
        break
      }
      out.push(this.finishRow(chunk.slice(rowStart, nl)))
      rowStart = nl + 1
      i = nl + 1
      this.isAtCellStart = true
    }
    if (rowStart < n) {
      this.hold(chunk.slice(rowStart))
    }
    return out
  }

  /** Ends the input: a row still open is returned, or refused when a quoted cell never closed. */
  end(): CsvRowItem[] {
    const isTruncated = this.isInQuotes && !this.isQuotePending
    const text = this.isOversized ? '' : this.pieces.join('')
    if (!this.isOversized && text === '' && !isTruncated) {
      return []
    }
    if (isTruncated) {
      const breaks = this.isOversized
        ? this.oversizedBreaks
        : countLineBreaks(text.replace(/(\r\n|\n|\r)$/, ''))
      const lastLine = this.line + breaks
      const item: CsvRowItem = {
        kind: 'reject',
        line: this.line,
        code: 'truncated',
        reason: `truncated row: a quoted cell is not closed before the end of the file${lastLine > this.line ? ` (lines ${this.line}–${lastLine} were read as this one row)` : ''}`,
        excerpt: this.isOversized ? this.excerpt : text.slice(0, EXCERPT)
      }
      this.reset(0)
      return [item]
    }
    return [this.finishRow('')]
  }

  private hold(piece: string): void {
    if (this.isOversized) {
      this.oversizedBreaks += countLineBreaks(piece)
      return
    }
    this.held += piece.length
    if (this.held > this.maxRecordChars) {
      const text = this.pieces.join('') + piece
      this.excerpt = text.slice(0, EXCERPT)
      this.oversizedBreaks = countLineBreaks(text)
      this.pieces = []
      this.isOversized = true
      return
    }
    this.pieces.push(piece)
  }

  /** Completes the current row with its last piece (line break excluded). */
  private finishRow(last: string): CsvRowItem {
    const line = this.line
    let breaks: number
    let excerpt: string
    if (!this.isOversized) {
      let text = this.pieces.length === 0 ? last : this.pieces.join('') + last
      if (text.charCodeAt(text.length - 1) === 13) {
        text = text.slice(0, -1)
      }
      breaks = countLineBreaks(text)
      if (text.length <= this.maxRecordChars) {
        this.reset(breaks)
        return { kind: 'row', line, text }
      }
      excerpt = text.slice(0, EXCERPT)
    } else {
      const tail = last.charCodeAt(last.length - 1) === 13 ? last.slice(0, -1) : last
      breaks = this.oversizedBreaks + countLineBreaks(tail)
      excerpt = this.excerpt
    }
    this.reset(breaks)
    return {
      kind: 'reject',
      line,
      code: 'record-too-large',
      reason: `row larger than ${this.maxRecordChars} characters`,
      excerpt
    }
  }

  private reset(breaksInRow: number): void {
    this.line += 1 + breaksInRow
    this.pieces = []
    this.held = 0
    this.isOversized = false
    this.oversizedBreaks = 0
    this.excerpt = ''
  }
}

/**
 * The cells of one complete CSV row (RFC 4180, relaxed like csv-parse's `relax_quotes`): a cell
 * is quoted only when it starts with `"`; `""` inside is a quote; text after the closing quote
 * and before the next comma is kept as it is; a quote inside an unquoted cell is text.
 */
export function parseCsvRow(text: string): string[] {
  const cells: string[] = []
  const n = text.length
  let i = 0
  for (;;) {
    if (text.charCodeAt(i) === QUOTE) {
      const close = closingQuote(text, i)
      let value = text.slice(i + 1, close)
      if (value.indexOf('"') >= 0) {
        value = value.replaceAll('""', '"')
      }
      const comma = close >= n ? -1 : text.indexOf(',', close + 1)
      if (close + 1 < n && comma !== close + 1) {
        value += text.slice(close + 1, comma < 0 ? n : comma)
      }
      cells.push(value)
      if (comma < 0) {
        return cells
      }
      i = comma + 1
    } else {
      const comma = text.indexOf(',', i)
      if (comma < 0) {
        cells.push(text.slice(i))
        return cells
      }
      cells.push(text.slice(i, comma))
      i = comma + 1
    }
    if (i === n) {
      cells.push('')
      return cells
    }
  }
}

/**
 * A quoted cell from its opening quote: runs of text and `""` pairs, then the closing quote.
 * Run by the regular-expression engine rather than a loop over every quote: an AuditData cell
 * holds hundreds of doubled quotes, and stepping over them one `indexOf` at a time cost twice
 * the JSON.parse of the same cell.
 */
const QUOTED_CELL = /"(?:[^"]+|"")*"/y

/** Index of the quote closing the quoted cell opened at `open`, or the text's end if none. */
function closingQuote(text: string, open: number): number {
  QUOTED_CELL.lastIndex = open
  if (QUOTED_CELL.test(text)) {
    return QUOTED_CELL.lastIndex - 1
  }
  // Not closed (a truncated row, refused before it gets here): the cell runs to the end.
  return text.length
}

/** Line breaks in a text: CRLF, LF or a lone CR each count once. */
export function countLineBreaks(text: string): number {
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
