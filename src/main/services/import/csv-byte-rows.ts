import { parseCsvRow } from './parse-csv-row'
import type { RejectedRow } from './import-types'

/**
 * Cuts a CSV export, as UTF-8 bytes, into batches of rows for the normalize workers
 * (reference/audit-events.md §12), without decoding it: the bytes that decide where a row ends
 * (`"`, `,`, LF, CR) are ASCII, and in UTF-8 no byte of a multi-byte character is ASCII, so the
 * cut is the same as on the decoded text. Each batch is one byte array that moves to a worker
 * without a copy (it is transferred), with where each row starts and ends in it and the 1-based
 * line of the file each row starts on; the worker reads the cells and decodes only what it keeps.
 *
 * Why bytes: decoding the whole file to text on the main thread (TextDecoder) and then
 * structured-cloning every row's text to a worker cost the import's main thread about 35 µs a
 * row — more than everything else it does together (bench/import-csv.bench.mjs, profiled with
 * `--cpu-prof`); this cut costs a few.
 *
 * The rules are RFC 4180 relaxed like csv-parse (and like parse-csv-row.ts): a cell is quoted only when its first character is `"`, `""` inside is a quote,
 * and only a line feed outside quotes ends a row (its CR, if any, is not part of the row). Lines
 * are counted with CRLF, LF or a lone CR once each. Before the header, the `#TYPE` line, blank
 * lines and rows of blank cells are skipped, then the header itself; after it, blank lines are
 * not rows. A quoted cell still open at the end is refused as `truncated` (with the lines it
 * swallowed), and a row longer than `maxRecordChars` characters as `record-too-large` without
 * being held past the limit.
 */

/** One batch of rows: `bytes[spans[2k], spans[2k + 1])` is row k (line break excluded). */
export interface CsvByteBatch {
  /** The rows' UTF-8 bytes; its buffer is the batch's own (transferable). */
  bytes: Uint8Array
  /** Start and end offset of each row in `bytes`, two entries a row. */
  spans: Uint32Array
  /** The 1-based line of the file each row starts on. */
  lines: number[]
  /** Rows refused while cutting (truncated, too large), in line order. */
  rejected: RejectedRow[]
}

/** Options of {@link CsvByteRows}. */
export interface CsvByteRowsOptions {
  /** A row longer than this many characters (UTF-16 code units, as JS counts) is refused. */
  maxRecordChars: number
  /** Rows plus refusals per batch. */
  batchSize: number
  /** A batch is also cut once its bytes pass this (rows of megabytes). */
  maxBatchBytes?: number
}

const QUOTE = 34
const COMMA = 44
const LF = 10
const CR = 13
const EXCERPT = 120
/** Bytes enough for {@link EXCERPT} characters (at most 4 bytes each). */
const EXCERPT_BYTES = EXCERPT * 4
const DEFAULT_MAX_BATCH_BYTES = 16 * 1024 * 1024
const MIN_CAPACITY = 1024 * 1024
/** Skipped lines before any row are forgotten once they take this many bytes. */
const DISCARD_BYTES = 64 * 1024

/** Feed bytes with {@link push}, then call {@link end}; each returns the batches completed. */
export class CsvByteRows {
  private buf: Uint8Array
  private view: Buffer
  /** Bytes of `buf` in use. */
  private size = 0
  /** Where the scan goes on (bytes before it are decided). */
  private pos = 0
  /** Where the current row starts in `buf`. */
  private rowStart = 0
  private spans: number[] = []
  private lines: number[] = []
  private rejected: RejectedRow[] = []
  private done: CsvByteBatch[] = []
  /** Line the current row starts on. */
  private line = 1
  /** Line breaks inside the current row so far. */
  private breaks = 0
  private isInQuotes = false
  /** The next byte starts a cell (row start or after a comma). */
  private isAtCellStart = true
  /** The current row passed the size limit: its bytes are dropped, its line breaks counted. */
  private isOversized = false
  private excerpt = ''
  /** UTF-16 code units of the current row's bytes before `unitsTo` (counted only past the limit). */
  private units = 0
  private unitsTo = 0
  /** The last byte of the current row seen, for a truncated row's line count. */
  private lastByte = -1
  private hasHeader = false
  private hasTypeLine = false
  private isBomChecked = false
  private readonly maxBatchBytes: number

  constructor(private readonly options: CsvByteRowsOptions) {
    this.maxBatchBytes = options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES
    this.buf = Buffer.allocUnsafeSlow(MIN_CAPACITY)
    this.view = Buffer.from(this.buf.buffer, 0, this.buf.byteLength)
  }

  /** Cuts the next chunk of UTF-8 bytes (a byte-order mark at the very start is dropped). */
  push(chunk: Uint8Array): CsvByteBatch[] {
    this.append(chunk)
    if (this.isBomChecked || this.checkBom(false)) {
      this.scan()
      this.holdOrDrop()
    }
    return this.take()
  }

  /** Ends the input: a row still open is completed, or refused when a quoted cell never closed. */
  end(): CsvByteBatch[] {
    if (!this.isBomChecked) {
      this.checkBom(true)
      this.scan()
    }
    // A quote or CR left undecided at the end: a closing quote, a trailing CR.
    const pending = this.pos < this.size ? this.buf[this.pos] : -1
    const isTruncated = this.isInQuotes && pending !== QUOTE
    if (isTruncated) {
      // A line break right at the end was counted; it ends the last line, it is not one more.
      const breaks = this.breaks - (pending !== CR && this.lastByte === LF ? 1 : 0)
      const lastLine = this.line + breaks
      this.rejected.push({
        line: this.line,
        code: 'truncated',
        reason: `truncated row: a quoted cell is not closed before the end of the file${lastLine > this.line ? ` (lines ${this.line}–${lastLine} were read as this one row)` : ''}`,
        excerpt: this.isOversized ? this.excerpt : this.text(this.rowStart, this.size, EXCERPT)
      })
    } else if (this.isOversized || this.size > this.rowStart) {
      this.finishRow(this.size)
    }
    this.cut(this.size)
    return this.take()
  }

  /**
   * Drops a UTF-8 byte-order mark at the start of the input once its first three bytes are in
   * (it may come split across chunks). False while the bytes so far could still be one.
   */
  private checkBom(isEnd: boolean): boolean {
    const b = this.buf
    const n = this.size
    const couldBe = n > 0 && b[0] === 0xef && (n < 2 || b[1] === 0xbb) && (n < 3 || b[2] === 0xbf)
    if (!isEnd && (n === 0 || (couldBe && n < 3))) {
      return false
    }
    if (couldBe && n >= 3) {
      b.copyWithin(0, 3, n)
      this.size = n - 3
    }
    this.isBomChecked = true
    return true
  }

  private append(bytes: Uint8Array): void {
    const needed = this.size + bytes.length
    if (needed > this.buf.length) {
      this.grow(needed)
    }
    this.buf.set(bytes, this.size)
    this.size = needed
  }

  private grow(needed: number): void {
    let capacity = this.buf.length * 2
    while (capacity < needed) {
      capacity *= 2
    }
    // Not zeroed: every byte handed out is written first. Its own buffer: transferable.
    const next = Buffer.allocUnsafeSlow(capacity)
    next.set(this.buf.subarray(0, this.size))
    this.buf = next
    this.view = Buffer.from(next.buffer, 0, next.byteLength)
  }

  /** Scans from `pos` to the end of the bytes, completing rows at line feeds outside quotes. */
  private scan(): void {
    let buf = this.buf
    let n = this.size
    let i = this.pos
    let inQuotes = this.isInQuotes
    let atCellStart = this.isAtCellStart
    let breaks = this.breaks
    while (i < n) {
      let b = buf[i] as number
      if (inQuotes) {
        // Most of a quoted cell is text: skip to the next quote or line break in a tight loop.
        while (b !== QUOTE && b !== LF && b !== CR && ++i < n) {
          b = buf[i] as number
        }
        if (i >= n) {
          break
        }
        if (b === QUOTE) {
          if (i + 1 >= n) {
            break // a doubled quote or the closing one: the next byte decides
          }
          if (buf[i + 1] === QUOTE) {
            i += 2
            continue
          }
          inQuotes = false
          atCellStart = false
        } else if (b === LF) {
          breaks++
        } else if (b === CR) {
          if (i + 1 >= n) {
            break // a CRLF or a lone CR: the next byte decides
          }
          if (buf[i + 1] !== LF) {
            breaks++
          }
        }
        i++
        continue
      }
      if (b === LF) {
        this.breaks = breaks
        this.isInQuotes = false
        this.finishRow(i)
        // Completing a row may cut a batch, which moves the bytes after it to a new buffer.
        const shift = this.cutIfFull(i + 1)
        buf = this.buf
        n = this.size
        i = i + 1 - shift
        this.rowStart = i
        breaks = 0
        atCellStart = true
        continue
      }
      if (b === QUOTE) {
        // A quote opens a quoted cell only at the start of a cell; elsewhere it is text (relaxed).
        inQuotes = atCellStart
        atCellStart = false
      } else if (b === COMMA) {
        atCellStart = true
      } else {
        if (b === CR) {
          if (i + 1 >= n) {
            break
          }
          if (buf[i + 1] !== LF) {
            breaks++
          }
        }
        atCellStart = false
      }
      i++
    }
    this.pos = i
    this.isInQuotes = inQuotes
    this.isAtCellStart = atCellStart
    this.breaks = breaks
    if (i > this.rowStart) {
      this.lastByte = buf[i - 1] as number
    }
  }

  /** After a chunk: an unfinished row past the limit is refused and its bytes dropped. */
  private holdOrDrop(): void {
    const held = this.size - this.rowStart
    if (!this.isOversized && held > this.options.maxRecordChars) {
      if (this.unitsOf(this.size) > this.options.maxRecordChars) {
        this.isOversized = true
        this.excerpt = this.text(this.rowStart, this.size, EXCERPT)
      }
    }
    if (this.isOversized && this.pos > this.rowStart) {
      // Keep the undecided byte (if any) after the scan position; drop what was scanned.
      this.buf.copyWithin(this.rowStart, this.pos, this.size)
      this.size = this.rowStart + (this.size - this.pos)
      this.pos = this.rowStart
    }
  }

  /** UTF-16 code units of the current row's bytes up to `to` (counted once, from where it left). */
  private unitsOf(to: number): number {
    const buf = this.buf
    let units = this.units
    for (let k = Math.max(this.rowStart + this.unitsTo, this.rowStart); k < to; k++) {
      const b = buf[k] as number
      if ((b & 0xc0) !== 0x80) {
        units += b >= 0xf0 ? 2 : 1
      }
    }
    this.units = units
    this.unitsTo = to - this.rowStart
    return units
  }

  /** Completes the current row, which ends at `at` (the line feed, or the end of the input). */
  private finishRow(at: number): void {
    const line = this.line
    this.line += 1 + this.breaks
    const start = this.rowStart
    let end = at
    if (end > start && this.buf[end - 1] === CR) {
      end -= 1
    }
    const wasOversized = this.isOversized
    const excerpt = this.excerpt
    const units = this.units
    const unitsTo = this.unitsTo
    this.breaks = 0
    this.isOversized = false
    this.excerpt = ''
    this.units = 0
    this.unitsTo = 0
    this.lastByte = -1
    if (
      wasOversized ||
      (end - start > this.options.maxRecordChars &&
        this.countUnits(start, end, units, unitsTo) > this.options.maxRecordChars)
    ) {
      this.rejected.push({
        line,
        code: 'record-too-large',
        reason: `row larger than ${this.options.maxRecordChars} characters`,
        excerpt: wasOversized ? excerpt : this.text(start, end, EXCERPT)
      })
      return
    }
    if (end === start) {
      return // a blank line is not a row
    }
    if (!this.hasHeader) {
      this.readPreamble(start, end)
      return
    }
    this.spans.push(start, end)
    this.lines.push(line)
  }

  private countUnits(start: number, end: number, counted: number, countedTo: number): number {
    let units = counted
    for (let k = start + countedTo; k < end; k++) {
      const b = this.buf[k] as number
      if ((b & 0xc0) !== 0x80) {
        units += b >= 0xf0 ? 2 : 1
      }
    }
    return units
  }

  /** A row before the header: the `#TYPE` line, a row of blank cells, or the header itself. */
  private readPreamble(start: number, end: number): void {
    const text = this.view.toString('utf8', start, end)
    if (!this.hasTypeLine && text.startsWith('#TYPE')) {
      this.hasTypeLine = true
      return
    }
    if (parseCsvRow(text).every((cell) => cell.trim() === '')) {
      return
    }
    this.hasHeader = true
  }

  /** Cuts a batch before `at` when it holds enough rows or bytes; returns how far bytes moved. */
  private cutIfFull(at: number): number {
    const count = this.lines.length + this.rejected.length
    if (count === 0) {
      if (at < DISCARD_BYTES) {
        return 0
      }
      // Only skipped lines so far (a preamble, blank lines): forget their bytes.
      this.buf.copyWithin(0, at, this.size)
      this.size -= at
      return at
    }
    if (count < this.options.batchSize && at < this.maxBatchBytes) {
      return 0
    }
    return this.cut(at)
  }

  /** Hands out the rows so far as a batch; bytes from `at` on move to a new buffer. */
  private cut(at: number): number {
    if (this.lines.length === 0 && this.rejected.length === 0) {
      return 0
    }
    const rest = this.size - at
    // Room for a batch like this one, so the next rarely grows.
    const capacity = Math.max(MIN_CAPACITY, rest * 2, Math.min(at + (at >> 2), this.maxBatchBytes))
    const next = Buffer.allocUnsafeSlow(capacity)
    next.set(this.buf.subarray(at, this.size))
    this.done.push({
      bytes: this.buf.subarray(0, at),
      spans: Uint32Array.from(this.spans),
      lines: this.lines,
      rejected: this.rejected
    })
    this.buf = next
    this.view = Buffer.from(next.buffer, 0, next.byteLength)
    this.size = rest
    this.pos -= at
    this.rowStart -= at
    this.spans = []
    this.lines = []
    this.rejected = []
    return at
  }

  private take(): CsvByteBatch[] {
    const out = this.done
    this.done = []
    return out
  }

  /** The first `max` characters of bytes `start` to `end`. */
  private text(start: number, end: number, max: number): string {
    return this.view.toString('utf8', start, Math.min(end, start + EXCERPT_BYTES)).slice(0, max)
  }
}
