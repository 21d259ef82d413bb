import type { CsvCellMap } from './record-batch'

/**
 * Reads the cells an import keeps — AuditData, the record Id column, CreationDate — straight from
 * a CSV row's UTF-8 bytes (a batch cut by csv-byte-rows.ts), in the normalize worker. In the same
 * pass over the AuditData cell it writes the cell twice: unescaped (`""` → `"`: the record's raw
 * text, exactly what the decoded cell would be) and escaped as the inside of a JSON string
 * (`"` → `\"`, `\` → `\\`, control characters as JSON escapes), which the stored record line
 * takes as it is instead of escaping the raw text again (encoded-records.ts, `appendRawSpliced`).
 *
 * Only the common shape takes this path: the AuditData cell is present, and a quoted cell ends at
 * its closing quote (followed by a comma or the end of the row). Anything else — a short row, a
 * relaxed quote with text after it — returns false, and the caller reads the row as text with
 * {@link parseCsvRow}, which handles every case; the two give the same cells.
 */
export class CsvRowReader {
  /** The AuditData cell, unescaped: its bytes are `raw[0, rawLength)`. */
  raw: Buffer = Buffer.alloc(64 * 1024)
  rawLength = 0
  /** The AuditData cell as the inside of a JSON string literal: `json[0, jsonLength)`. */
  json: Buffer = Buffer.alloc(128 * 1024)
  jsonLength = 0
  /** The record Id column's text ('' when the layout has none or the cell is empty). */
  recordId = ''
  /** The CreationDate column's text ('' when none). */
  creationDate = ''

  /**
   * Reads row `bytes[start, end)`; false when the row needs the text path. `wantsJson`: also
   * write the JSON-escaped cell (a store takes it; packing for a window does not).
   */
  read(bytes: Buffer, start: number, end: number, map: CsvCellMap, wantsJson = true): boolean {
    const last = Math.max(map.auditData, map.recordId ?? -1, map.creationDate ?? -1)
    this.recordId = ''
    this.creationDate = ''
    let hasAuditData = false
    let i = start
    for (let cell = 0; cell <= last; cell++) {
      let next: number
      if (i < end && bytes[i] === QUOTE) {
        let close: number
        if (cell === map.auditData) {
          close = this.readAuditData(bytes, i + 1, end, true, wantsJson)
          hasAuditData = true
        } else {
          close = closingQuote(bytes, i + 1, end)
          if (close >= 0) {
            this.keep(cell, map, unescapeQuotes(bytes.toString('utf8', i + 1, close)))
          }
        }
        if (close < 0) {
          return false
        }
        next = close + 1
        if (next < end && bytes[next] !== COMMA) {
          return false // text after the closing quote (relaxed): the text path keeps it
        }
      } else {
        next = i
        while (next < end && bytes[next] !== COMMA) {
          next++
        }
        if (cell === map.auditData) {
          this.readAuditData(bytes, i, next, false, wantsJson)
          hasAuditData = true
        } else {
          this.keep(cell, map, bytes.toString('utf8', i, next))
        }
      }
      if (next >= end) {
        // The row's last cell: the cells after it are missing.
        return hasAuditData && cell >= last
      }
      i = next + 1
    }
    return hasAuditData
  }

  private keep(cell: number, map: CsvCellMap, value: string): void {
    if (cell === map.recordId) {
      this.recordId = value
    } else if (cell === map.creationDate) {
      this.creationDate = value
    }
  }

  /**
   * Copies the AuditData cell from `from`, unescaped into `raw` and JSON-escaped into `json`.
   * Quoted: stops at the closing quote and returns its index (-1 when the row ends first).
   * Unquoted: copies to `end`.
   */
  private readAuditData(
    bytes: Buffer,
    from: number,
    end: number,
    isQuoted: boolean,
    wantsJson: boolean
  ): number {
    const size = end - from
    if (this.raw.length < size) {
      this.raw = Buffer.alloc(size * 2)
    }
    if (!wantsJson) {
      return this.readRaw(bytes, from, end, isQuoted)
    }
    if (this.json.length < size * 6) {
      this.json = Buffer.alloc(size * 12)
    }
    const raw = this.raw
    const json = this.json
    let r = 0
    let j = 0
    let close = -1
    for (let k = from; k < end; k++) {
      const b = bytes[k] as number
      if (b === QUOTE) {
        if (isQuoted) {
          if (k + 1 < end && bytes[k + 1] === QUOTE) {
            k++
          } else {
            close = k
            break
          }
        }
        raw[r++] = QUOTE
        json[j++] = BACKSLASH
        json[j++] = QUOTE
        continue
      }
      raw[r++] = b
      if (b === BACKSLASH) {
        json[j++] = BACKSLASH
        json[j++] = BACKSLASH
      } else if (b < 0x20) {
        j = escapeControl(json, j, b)
      } else {
        json[j++] = b
      }
    }
    this.rawLength = r
    this.jsonLength = j
    return isQuoted ? close : end
  }

  /** {@link readAuditData} without the JSON-escaped copy (`jsonLength` is 0). */
  private readRaw(bytes: Buffer, from: number, end: number, isQuoted: boolean): number {
    const raw = this.raw
    let r = 0
    let close = -1
    for (let k = from; k < end; k++) {
      const b = bytes[k] as number
      if (b === QUOTE && isQuoted) {
        if (k + 1 < end && bytes[k + 1] === QUOTE) {
          k++
        } else {
          close = k
          break
        }
      }
      raw[r++] = b
    }
    this.rawLength = r
    this.jsonLength = 0
    return isQuoted ? close : end
  }
}

const QUOTE = 34
const COMMA = 44
const BACKSLASH = 92
const HEX = '0123456789abcdef'

/** Writes a control character as JSON.stringify does (`\n`, `\u001f`…); returns the new end. */
function escapeControl(out: Buffer, at: number, b: number): number {
  let j = at
  out[j++] = BACKSLASH
  const short = b === 8 ? 98 : b === 9 ? 116 : b === 10 ? 110 : b === 12 ? 102 : b === 13 ? 114 : 0
  if (short !== 0) {
    out[j++] = short
    return j
  }
  out[j++] = 117 // u
  out[j++] = 48
  out[j++] = 48
  out[j++] = HEX.charCodeAt(b >> 4)
  out[j++] = HEX.charCodeAt(b & 15)
  return j
}

/** Index of the quote closing a quoted cell whose text starts at `from`, or -1. */
function closingQuote(bytes: Buffer, from: number, end: number): number {
  for (let k = from; k < end; k++) {
    if (bytes[k] === QUOTE) {
      if (k + 1 < end && bytes[k + 1] === QUOTE) {
        k++
      } else {
        return k
      }
    }
  }
  return -1
}

function unescapeQuotes(text: string): string {
  return text.indexOf('"') >= 0 ? text.replaceAll('""', '"') : text
}
