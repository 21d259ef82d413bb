/**
 * Reading the cells of a CSV row as text (reference/audit-events.md §12). The import cuts rows
 * as bytes (csv-byte-rows.ts) and its workers read the cells they keep from bytes
 * (csv-row-cells.ts); this reads every cell of a row's text — the header, and any row the byte
 * reader leaves to it (a short row, a relaxed quote, an empty AuditData).
 */

const QUOTE = 34

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
