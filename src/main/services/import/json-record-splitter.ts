import { JSON_BYTE } from '../../../shared/json-bytes'

import type { ImportRejectCode } from './import-types'

/**
 * Splits a stream of JSON text into the raw text of each record, without parsing it.
 *
 * A hand-rolled splitter rather than a streaming JSON parser because the raw text of each
 * record must be kept byte for byte (reference/audit-events.md §13 rule 1): parsers hand back
 * values, not the text they came from. It reads, in any mix: a JSON array of records (a
 * Management API blob), arrays one after another (concatenated blobs), arrays of arrays,
 * NDJSON, and records one after another. It tracks only strings, escapes and bracket depth,
 * so it is linear and holds at most one record in memory.
 */

/** One item the splitter found: a record's raw text, or a stretch it had to refuse. */
export type SplitItem =
  | { kind: 'record'; line: number; text: string }
  | { kind: 'reject'; line: number; code: ImportRejectCode; reason: string; excerpt: string }

/** Options of {@link JsonRecordSplitter}. */
export interface JsonSplitterOptions {
  /**
   * NDJSON: a record must end on the line it started. A line break inside an unfinished record
   * then refuses that record and resumes on the next line, so one bad line costs one record.
   */
  isLineDelimited: boolean
  /** Records longer than this many characters are refused (and not held in memory). */
  maxRecordChars: number
}

const EXCERPT = 120
const { QUOTE, BACKSLASH, NEWLINE, OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET } =
  JSON_BYTE

/** Feed text with {@link push}, then call {@link end}; each returns the items completed. */
export class JsonRecordSplitter {
  private line = 1
  private containerDepth = 0
  private topLevelArrays = 0
  // the record being read
  private isInRecord = false
  private depth = 0
  private isInString = false
  private isEscaped = false
  private recordLine = 0
  private pieces: string[] = []
  private length = 0
  private isOversized = false
  // content that is not a record
  private junk: { line: number; text: string; mode: 'string' | 'token' | 'line' } | null = null
  private isJunkEscaped = false

  constructor(private readonly options: JsonSplitterOptions) {}

  /** How many top-level arrays were opened (more than one: concatenated blobs). */
  get arrayCount(): number {
    return this.topLevelArrays
  }

  /** True when the input ended inside an array. */
  get isArrayOpen(): boolean {
    return this.containerDepth > 0
  }

  /** Splits the next chunk of text. */
  push(chunk: string): SplitItem[] {
    const out: SplitItem[] = []
    let segmentStart = 0
    const n = chunk.length
    for (let i = 0; i < n; i++) {
      const c = chunk.charCodeAt(i)
      if (this.isInRecord) {
        if (this.isInString) {
          if (this.isEscaped) {
            this.isEscaped = false
          } else if (c === BACKSLASH) {
            this.isEscaped = true
          } else if (c === QUOTE) {
            this.isInString = false
          } else if (c === NEWLINE) {
            // JSON strings cannot hold a raw line break: the record was cut off here.
            out.push(this.abandonRecord(chunk, segmentStart, i, 'a line break inside a string'))
            this.line += 1
          }
          continue
        }
        if (c === QUOTE) {
          this.isInString = true
        } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
          this.depth += 1
        } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
          this.depth -= 1
          if (this.depth === 0) {
            out.push(this.finishRecord(chunk, segmentStart, i + 1))
          }
        } else if (c === NEWLINE) {
          if (this.options.isLineDelimited) {
            out.push(this.abandonRecord(chunk, segmentStart, i, 'the line ends before the record'))
          }
          this.line += 1
        }
        continue
      }
      if (this.junk !== null) {
        const item = this.continueJunk(c, chunk[i] ?? '')
        if (item === null) {
          continue
        }
        out.push(item)
        if (c === NEWLINE) {
          this.line += 1
          continue
        }
        if (c !== CLOSE_BRACKET && c !== OPEN_BRACE && c !== OPEN_BRACKET) {
          continue
        }
      }
      if (c === NEWLINE) {
        this.line += 1
      } else if (c === 32 || c === 9 || c === 13 || c === 44 || c === 0xfeff) {
        // whitespace, separators between records, a stray BOM
      } else if (c === OPEN_BRACKET) {
        this.containerDepth += 1
        if (this.containerDepth === 1) {
          this.topLevelArrays += 1
        }
      } else if (c === CLOSE_BRACKET && this.containerDepth > 0) {
        this.containerDepth -= 1
      } else if (c === OPEN_BRACE) {
        this.isInRecord = true
        this.depth = 1
        this.isInString = false
        this.isEscaped = false
        this.recordLine = this.line
        this.pieces = []
        this.length = 0
        this.isOversized = false
        segmentStart = i
      } else {
        this.junk = {
          line: this.line,
          text: chunk[i] ?? '',
          mode: c === QUOTE ? 'string' : /[-0-9tfn]/.test(chunk[i] ?? '') ? 'token' : 'line'
        }
        this.isJunkEscaped = false
      }
    }
    if (this.isInRecord) {
      this.keep(chunk.slice(segmentStart))
    }
    return out
  }

  /** Ends the input: a record still open is refused as truncated. */
  end(): SplitItem[] {
    const out: SplitItem[] = []
    if (this.junk !== null) {
      out.push(this.junkItem())
    }
    if (this.isInRecord) {
      this.isInRecord = false
      out.push({
        kind: 'reject',
        line: this.recordLine,
        code: 'truncated',
        reason: 'truncated record: the input ends before the record is closed',
        excerpt: this.pieces.join('').slice(0, EXCERPT)
      })
      this.pieces = []
    }
    return out
  }

  private keep(piece: string): void {
    if (this.isOversized) {
      return
    }
    this.length += piece.length
    if (this.length > this.options.maxRecordChars) {
      this.isOversized = true
      this.pieces = [this.pieces.join('').slice(0, EXCERPT)]
      return
    }
    this.pieces.push(piece)
  }

  private finishRecord(chunk: string, start: number, end: number): SplitItem {
    this.keep(chunk.slice(start, end))
    this.isInRecord = false
    const text = this.pieces.join('')
    this.pieces = []
    if (this.isOversized) {
      return {
        kind: 'reject',
        line: this.recordLine,
        code: 'record-too-large',
        reason: `record larger than ${this.options.maxRecordChars} characters`,
        excerpt: text.slice(0, EXCERPT)
      }
    }
    return { kind: 'record', line: this.recordLine, text }
  }

  private abandonRecord(chunk: string, start: number, end: number, why: string): SplitItem {
    this.keep(chunk.slice(start, end))
    this.isInRecord = false
    const text = this.pieces.join('')
    this.pieces = []
    return {
      kind: 'reject',
      line: this.recordLine,
      code: 'malformed-json',
      reason: `malformed JSON: ${why} (record cut off or not valid JSON)`,
      excerpt: text.slice(0, EXCERPT)
    }
  }

  /** Consumes one character of non-record content; returns the rejection when the stretch ends. */
  private continueJunk(c: number, ch: string): SplitItem | null {
    const junk = this.junk
    if (junk === null) {
      return null
    }
    let isEnd = false
    if (junk.mode === 'string') {
      if (this.isJunkEscaped) {
        this.isJunkEscaped = false
      } else if (c === BACKSLASH) {
        this.isJunkEscaped = true
      } else if (c === QUOTE) {
        junk.mode = 'token'
      } else if (c === NEWLINE) {
        isEnd = true
      }
    } else if (junk.mode === 'token') {
      isEnd = c === 44 || c === CLOSE_BRACKET || c === NEWLINE || c === 32 || c === 13 || c === 9
      if (isEnd && c !== NEWLINE && !isJsonValue(junk.text)) {
        // not a stray value but text: refuse the rest of the line as one stretch
        junk.mode = 'line'
        isEnd = false
      }
    } else {
      isEnd = c === NEWLINE || c === OPEN_BRACE || c === OPEN_BRACKET
    }
    if (!isEnd) {
      if (junk.text.length < EXCERPT) {
        junk.text += ch
      }
      return null
    }
    return this.junkItem()
  }

  private junkItem(): SplitItem {
    const junk = this.junk
    this.junk = null
    const text = junk?.text ?? ''
    const isValue = junk?.mode === 'token' && isJsonValue(text)
    return {
      kind: 'reject',
      line: junk?.line ?? this.line,
      code: isValue ? 'not-an-object' : 'unexpected-content',
      reason: isValue
        ? `not a JSON object: found the value ${text.slice(0, 40)} where a record was expected`
        : `unexpected content where a record was expected: ${text.slice(0, 40)}`,
      excerpt: text.slice(0, EXCERPT)
    }
  }
}

function isJsonValue(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}
