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

const NUMBER_LIKE = /^\s*[+-]?(\d[\d,]*)?(\.\d*)?([eE][+-]?\d+)?\s*$/
const DATE_LIKE = /^\s*\d{1,4}[-/.]\d{1,2}([-/.]\d{1,4})?\s*$/
const HAS_DIGIT = /\d/

/**
 * True when Excel, opening a CSV, would silently turn this text into a number or a date and lose
 * information: long digit strings (more than 15 significant digits are rounded), leading zeros,
 * exponent-looking hex ids (`1234E5`), and for id columns anything numeric or date-like.
 */
export function needsTextGuard(value: string, isId: boolean): boolean {
  if (!HAS_DIGIT.test(value)) {
    return false
  }
  if (DATE_LIKE.test(value)) {
    return isId
  }
  if (!NUMBER_LIKE.test(value)) {
    return false
  }
  if (isId) {
    return true
  }
  const digits = value.replace(/[^\d]/g, '')
  return digits.length > 15 || /^\s*[+-]?0\d/.test(value) || /[eE]/.test(value)
}

/**
 * Wraps a value as the text formula `="…"`, the form Excel reads back as exactly that text.
 * Used only for values {@link needsTextGuard} selects (digits, signs, dots, separators — never a
 * user-controlled formula), after {@link neutralizeFormula} has run.
 */
export function excelTextFormula(value: string): string {
  return `="${value.replace(/"/g, '""')}"`
}
