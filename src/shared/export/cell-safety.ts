/**
 * Spreadsheet safety for exported cells: formula-injection neutralisation, Excel's cell-length
 * limit and text guards for values Excel would turn into numbers or dates
 * (reference/what-users-want.md §4 item 8).
 */

/** Excel's limit on characters in one cell. */
export const EXCEL_MAX_CELL_CHARS = 32_767

/** Excel's limit on rows in one worksheet (header included). */
export const EXCEL_MAX_ROWS = 1_048_576

/** Characters that make a spreadsheet treat a cell as a formula when they come first (OWASP CSV injection). */
const FORMULA_TRIGGERS = new Set(['=', '+', '-', '@', '\uff1d', '\uff0b', '\uff0d', '\uff20'])

/**
 * Neutralises spreadsheet formula injection: the ONE function every exporter uses.
 *
 * A value whose first character is `=`, `+`, `-`, `@`, a tab or a carriage return — or whose
 * first character after leading whitespace is one of `= + - @` (full-width forms included) — gets
 * a leading apostrophe, so Excel, LibreOffice and Google Sheets show it as text instead of
 * evaluating it. Every other value is returned unchanged.
 */
export function neutralizeFormula(value: string): string {
  if (value === '') {
    return value
  }
  const first = value[0] ?? ''
  if (first === '\t' || first === '\r' || FORMULA_TRIGGERS.has(first)) {
    return `'${value}`
  }
  let i = 0
  while (i < value.length && /\s/.test(value[i] ?? '')) {
    i += 1
  }
  if (i > 0 && i < value.length && FORMULA_TRIGGERS.has(value[i] ?? '')) {
    return `'${value}`
  }
  return value
}

/** The marker appended to a cell cut at the length limit; `{n}` is the number of characters removed. */
export const TRUNCATION_MARKER = ' …[truncated {n} chars]'

/** The outcome of {@link limitCellLength}. */
export interface LimitedCell {
  value: string
  /** Characters removed, 0 when the value fitted. */
  removed: number
}

/**
 * Cuts a value longer than `limit` characters so that value + visible marker fit exactly within
 * the limit, never splitting a surrogate pair. The caller counts the cut in its summary; the
 * lossless NDJSON export keeps the full value.
 */
export function limitCellLength(value: string, limit = EXCEL_MAX_CELL_CHARS): LimitedCell {
  if (value.length <= limit) {
    return { value, removed: 0 }
  }
  // The marker's length depends on the count it shows, and the count on the marker: settle it.
  let removed = value.length - limit
  let keep = 0
  for (let pass = 0; pass < 4; pass += 1) {
    keep = Math.max(0, limit - TRUNCATION_MARKER.replace('{n}', String(removed)).length)
    removed = value.length - keep
  }
  const code = value.charCodeAt(keep - 1)
  if (keep > 0 && code >= 0xd800 && code <= 0xdbff) {
    keep -= 1
    removed += 1
  }
  return {
    value: value.slice(0, keep) + TRUNCATION_MARKER.replace('{n}', String(removed)),
    removed
  }
}

/**
 * True for the characters JavaScript's `\s` matches (ECMAScript WhiteSpace and LineTerminator:
 * tab, LF, VT, FF, CR, space, NBSP, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F,
 * U+3000, BOM), so the hand-written scanner below trims exactly what the old regex did.
 */
export function isSpaceCode(code: number): boolean {
  return (
    (code >= 0x09 && code <= 0x0d) ||
    code === 0x20 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  )
}

const isDigitCode = (code: number): boolean => code >= 0x30 && code <= 0x39

/** What {@link scanNumberLike} found. */
export interface NumberLikeScan {
  /** The value contains at least one ASCII digit. */
  hasDigit: boolean
  /** Digits in the whole value. */
  digitCount: number
  /** Optional whitespace, `[+-]?`, digits and commas, `.digits`, `e[+-]?digits`, whitespace. */
  isNumberLike: boolean
  /** Looks like a date (`1-2`, `2026/05/19`, `19.05.26`), surrounded by whitespace or not. */
  isDateLike: boolean
  /** Starts (after whitespace and a sign) with `0` and another digit: a leading zero. */
  hasLeadingZero: boolean
  /** Has an exponent marker (`e` or `E`). */
  hasExponent: boolean
}

/**
 * Classifies a cell value in one pass, in time linear in its length (issue 10 item 7: the regex
 * `^\s*[+-]?(\d[\d,]*)?(\.\d*)?([eE][+-]?\d+)?\s*$` it replaces backtracked quadratically, about
 * 0.9 s on a cell of 32,000 spaces). The value is cut into leading whitespace, a middle and
 * trailing whitespace; the middle is matched by a deterministic scanner (each part of the number
 * starts with a character the part before cannot take, so greedy is exact).
 */
export function scanNumberLike(value: string): NumberLikeScan {
  let digitCount = 0
  let hasExponent = false
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i)
    if (isDigitCode(code)) {
      digitCount += 1
    } else if (code === 0x45 || code === 0x65) {
      hasExponent = true
    }
  }
  let start = 0
  while (start < value.length && isSpaceCode(value.charCodeAt(start))) {
    start += 1
  }
  let end = value.length
  while (end > start && isSpaceCode(value.charCodeAt(end - 1))) {
    end -= 1
  }
  const at = (i: number): number => (i < end ? value.charCodeAt(i) : -1)

  // [+-]? (\d[\d,]*)? (\.\d*)? ([eE][+-]?\d+)?  over value[start, end)
  let i = start
  if (at(i) === 0x2b || at(i) === 0x2d) {
    i += 1
  }
  const signEnd = i
  if (isDigitCode(at(i))) {
    while (isDigitCode(at(i)) || at(i) === 0x2c) {
      i += 1
    }
  }
  if (at(i) === 0x2e) {
    i += 1
    while (isDigitCode(at(i))) {
      i += 1
    }
  }
  if (at(i) === 0x45 || at(i) === 0x65) {
    let j = i + 1
    if (at(j) === 0x2b || at(j) === 0x2d) {
      j += 1
    }
    if (isDigitCode(at(j))) {
      while (isDigitCode(at(j))) {
        j += 1
      }
      i = j
    }
  }
  const isNumberLike = i === end
  const hasLeadingZero = at(signEnd) === 0x30 && isDigitCode(at(signEnd + 1))

  // \d{1,4} [-/.] \d{1,2} ([-/.] \d{1,4})?  over value[start, end)
  const digitsFrom = (from: number, max: number): number => {
    let k = from
    while (k - from < max && isDigitCode(at(k))) {
      k += 1
    }
    return k
  }
  const isSeparator = (code: number): boolean => code === 0x2d || code === 0x2f || code === 0x2e
  let isDateLike = false
  const year = digitsFrom(start, 4)
  if (year > start && isSeparator(at(year))) {
    const month = digitsFrom(year + 1, 2)
    if (month > year + 1) {
      if (month === end) {
        isDateLike = true
      } else if (isSeparator(at(month))) {
        const day = digitsFrom(month + 1, 4)
        isDateLike = day > month + 1 && day === end
      }
    }
  }
  return {
    hasDigit: digitCount > 0,
    digitCount,
    isNumberLike,
    isDateLike,
    hasLeadingZero,
    hasExponent
  }
}

/**
 * True when Excel, opening a CSV, would silently turn this text into a number or a date and lose
 * information: long digit strings (more than 15 significant digits are rounded), leading zeros,
 * exponent-looking hex ids (`1234E5`), and for id columns anything numeric or date-like. Linear in
 * the length of the value (see {@link scanNumberLike}).
 */
export function needsTextGuard(value: string, isId: boolean): boolean {
  const scan = scanNumberLike(value)
  if (!scan.hasDigit) {
    return false
  }
  if (scan.isDateLike) {
    return isId
  }
  if (!scan.isNumberLike) {
    return false
  }
  if (isId) {
    return true
  }
  return scan.digitCount > 15 || scan.hasLeadingZero || scan.hasExponent
}

/**
 * Wraps a value as the text formula `="…"`, the form Excel reads back as exactly that text.
 * Used only for values {@link needsTextGuard} selects (digits, signs, dots, separators — never a
 * user-controlled formula), after {@link neutralizeFormula} has run.
 */
export function excelTextFormula(value: string): string {
  return `="${value.replace(/"/g, '""')}"`
}
