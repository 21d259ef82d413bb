/**
 * The grid's search syntax, as analysts know it from Timeline Explorer and IRFlow:
 *
 * - `word` — any searchable column contains the word (case-insensitive);
 * - `"a phrase"` — any column contains the phrase, spaces included (`\"` for a quote inside);
 * - `Column:term`, `Column:"a phrase"` — that column contains it;
 * - `-term`, `-Column:term`, `-"phrase"` — exclude rows that match;
 * - terms side by side must all match; `OR` (upper case) separates alternatives, and binds
 *   looser than side by side: `a b OR c` is `(a AND b) OR c`.
 *
 * Parsing and matching are pure; a query that does not parse comes back with the position and
 * the reason, never as a silent "match everything".
 */

/** One term of a query. */
export interface SearchTerm {
  /** The column named before `:`, as typed; null for "any column". */
  column: string | null
  /** The text to look for (without quotes). */
  text: string
  isNegated: boolean
  isPhrase: boolean
}

/** A parsed query: alternatives (OR) of terms that must all match (AND). Empty = match all. */
export interface SearchQuery {
  alternatives: SearchTerm[][]
}

/** Why a query does not parse: a message and the 0-based position it concerns. */
export interface SearchSyntaxError {
  message: string
  position: number
}

/** The outcome of {@link parseSearch}. */
export type ParseSearchResult =
  { ok: true; query: SearchQuery } | { ok: false; error: SearchSyntaxError }

interface Token {
  type: 'term' | 'or'
  term?: SearchTerm
  position: number
}

const COLUMN = /^([A-Za-z_][\w.-]*):/

function readQuoted(
  input: string,
  start: number
): { text: string; end: number } | SearchSyntaxError {
  let text = ''
  let i = start + 1
  while (i < input.length) {
    const c = input[i]
    if (c === '\\' && (input[i + 1] === '"' || input[i + 1] === '\\')) {
      text += input[i + 1]
      i += 2
      continue
    }
    if (c === '"') {
      return { text, end: i + 1 }
    }
    text += c
    i += 1
  }
  return { message: 'unterminated quoted phrase: add the closing "', position: start }
}

function tokenize(input: string): Token[] | SearchSyntaxError {
  const tokens: Token[] = []
  let i = 0
  while (i < input.length) {
    if (/\s/.test(input[i] ?? '')) {
      i += 1
      continue
    }
    const position = i
    let isNegated = false
    if (input[i] === '-') {
      isNegated = true
      i += 1
      if (i >= input.length || /\s/.test(input[i] ?? '')) {
        return { message: '"-" must be followed by the term to exclude', position }
      }
    }
    let column: string | null = null
    const named = COLUMN.exec(input.slice(i))
    if (named) {
      column = named[1] ?? null
      i += named[0].length
      if (i >= input.length || /\s/.test(input[i] ?? '')) {
        return { message: `"${column}:" needs a term after the colon`, position }
      }
    } else if (input[i] === ':') {
      return { message: 'a column name must come before ":"', position: i }
    }
    if (input[i] === '"') {
      const quoted = readQuoted(input, i)
      if ('message' in quoted) {
        return quoted
      }
      if (quoted.text === '') {
        return { message: 'empty quoted phrase', position: i }
      }
      tokens.push({
        type: 'term',
        term: { column, text: quoted.text, isNegated, isPhrase: true },
        position
      })
      i = quoted.end
      continue
    }
    let word = ''
    while (i < input.length && !/\s/.test(input[i] ?? '')) {
      word += input[i]
      i += 1
    }
    if (word === 'OR' && column === null && !isNegated) {
      tokens.push({ type: 'or', position })
    } else {
      tokens.push({
        type: 'term',
        term: { column, text: word, isNegated, isPhrase: false },
        position
      })
    }
  }
  return tokens
}

/** Parses a query; see the module comment for the syntax. */
export function parseSearch(input: string): ParseSearchResult {
  const tokens = tokenize(input)
  if (!Array.isArray(tokens)) {
    return { ok: false, error: tokens }
  }
  const alternatives: SearchTerm[][] = []
  let current: SearchTerm[] = []
  for (const [n, token] of tokens.entries()) {
    if (token.type === 'or') {
      if (current.length === 0) {
        return {
          ok: false,
          error: {
            message:
              n === 0 ? 'OR needs a term before it' : 'OR OR: a term is missing between them',
            position: token.position
          }
        }
      }
      alternatives.push(current)
      current = []
    } else if (token.term) {
      current.push(token.term)
    }
  }
  if (current.length === 0 && alternatives.length > 0) {
    const last = tokens[tokens.length - 1]
    return {
      ok: false,
      error: { message: 'OR needs a term after it', position: last?.position ?? 0 }
    }
  }
  if (current.length > 0) {
    alternatives.push(current)
  }
  return { ok: true, query: { alternatives } }
}

/** A column the search can look in. */
export interface SearchColumn<T> {
  /** The id used in `Column:term` (matched case-insensitively). */
  id: string
  /** Other names accepted before the colon (a header such as `UserId`). */
  aliases?: readonly string[]
  /** The text of the column for a row. */
  get: (row: T) => string | number | boolean | null | undefined
  /** Searched by a term without a column (default true). */
  isSearchedByDefault?: boolean
}

/** A query names a column the grid does not have. */
export class UnknownSearchColumnError extends Error {
  constructor(
    readonly column: string,
    known: readonly string[]
  ) {
    super(`unknown column "${column}" in the search; known: ${known.join(', ')}`)
    this.name = 'UnknownSearchColumnError'
  }
}

/**
 * Compiles a parsed query into a row predicate. Throws {@link UnknownSearchColumnError} naming
 * the column when a term names one that does not exist.
 */
export function compileSearch<T>(
  query: SearchQuery,
  columns: readonly SearchColumn<T>[]
): (row: T) => boolean {
  const byName = new Map<string, SearchColumn<T>>()
  for (const c of columns) {
    for (const name of [c.id, ...(c.aliases ?? [])]) {
      if (!byName.has(name.toLowerCase())) {
        byName.set(name.toLowerCase(), c)
      }
    }
  }
  const defaults = columns.filter((c) => c.isSearchedByDefault !== false)
  const text = (c: SearchColumn<T>, row: T): string => {
    const v = c.get(row)
    return v === null || v === undefined ? '' : String(v).toLowerCase()
  }
  const compiled = query.alternatives.map((terms) =>
    terms.map((term) => {
      const needle = term.text.toLowerCase()
      let test: (row: T) => boolean
      if (term.column === null) {
        test = (row) => defaults.some((c) => text(c, row).includes(needle))
      } else {
        const column = byName.get(term.column.toLowerCase())
        if (!column) {
          throw new UnknownSearchColumnError(
            term.column,
            columns.map((c) => c.id)
          )
        }
        test = (row) => text(column, row).includes(needle)
      }
      return term.isNegated ? (row: T) => !test(row) : test
    })
  )
  if (compiled.length === 0) {
    return () => true
  }
  return (row) => compiled.some((terms) => terms.every((t) => t(row)))
}

/** Quotes a value for a query when it needs it (spaces, quotes, a leading `-`, `OR`). */
export function quoteSearchValue(value: string): string {
  if (value !== '' && !/[\s"\\]/.test(value) && !value.startsWith('-') && value !== 'OR') {
    return value
  }
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`
}
