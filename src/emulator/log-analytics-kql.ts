/**
 * The KQL subset the fake Log Analytics query API understands: exactly what the product emits
 * (docs/emulator.md, "Log Analytics query API"). Anything else is refused with the error the
 * real service gives for a query it cannot run, never silently ignored.
 *
 *   <Table> | getschema
 *   <Table> [| where TimeGenerated >= datetime(<iso>) and TimeGenerated < datetime(<iso>)
 *                    [and <Column> == '<text>']]
 *           [| summarize count() by bin(TimeGenerated, 1h)]  or  [| summarize count() by <Column>]
 *           or  [| count]
 *           [| sort by TimeGenerated asc]  [| take <n>]
 */

/** A time comparison of a `where` stage. */
export interface TimeBound {
  op: '>=' | '>' | '<' | '<='
  ms: number
}

/** A string equality of a `where` stage: `PushPart == 'abc'`. */
export interface ColumnEquals {
  column: string
  value: string
}

/** A parsed data query (rows, a count, counts per time bin or per value of a column). */
export interface KqlDataQuery {
  kind: 'rows' | 'count' | 'count-by-bin' | 'count-by-column'
  table: string
  bounds: TimeBound[]
  equals: ColumnEquals[]
  /** `count-by-column`: the column counted by. */
  byColumn: string
  /** `count-by-bin`: the bin size in ms. */
  binMs: number
  sorted: boolean
  take: number | undefined
}

/** A parsed query. */
export type KqlQuery = { kind: 'getschema'; table: string } | KqlDataQuery

/** A query the fake cannot run: the real API answers 400 `BadArgumentError` with this inner code. */
export class KqlError extends Error {
  constructor(
    readonly innerCode: 'SyntaxError' | 'SemanticError',
    message: string
  ) {
    super(message)
  }
}

const TABLE = /^[A-Za-z_][A-Za-z0-9_]*$/
const BOUND =
  /^TimeGenerated\s*(>=|<=|>|<)\s*datetime\(\s*([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z?)\s*\)$/
const EQUALS = /^([A-Za-z_][A-Za-z0-9_]*)\s*==\s*(?:'([^'\\]*)'|"([^"\\]*)")$/
const TIMESPAN: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 }

/** Parses one query of the subset; throws {@link KqlError}. */
export function parseKql(text: string): KqlQuery {
  if (text.length > 10_000) {
    throw new KqlError('SyntaxError', 'The query is longer than this emulator accepts.')
  }
  const stages = text
    .split('|')
    .map((s) => s.trim().replace(/\s+/g, ' '))
    .filter((s, i) => s !== '' || i === 0)
  const table = stages[0] ?? ''
  if (!TABLE.test(table)) {
    throw new KqlError('SyntaxError', `Query could not be parsed at '${table.slice(0, 40)}'`)
  }
  if (stages.length === 2 && stages[1] === 'getschema') {
    return { kind: 'getschema', table }
  }
  const query: KqlDataQuery = {
    kind: 'rows',
    table,
    bounds: [],
    equals: [],
    byColumn: '',
    binMs: 0,
    sorted: false,
    take: undefined
  }
  let result: KqlDataQuery = query
  for (const stage of stages.slice(1)) {
    if (result.kind !== 'rows') {
      throw new KqlError('SemanticError', `'${stage}' after an aggregation is not supported`)
    }
    const where = /^where (.+)$/.exec(stage)
    if (where?.[1]) {
      for (const part of where[1].split(/ and /i)) {
        const eq = EQUALS.exec(part.trim())
        if (eq?.[1] && eq[1] !== 'TimeGenerated') {
          query.equals.push({ column: eq[1], value: eq[2] ?? eq[3] ?? '' })
          continue
        }
        const m = BOUND.exec(part.trim())
        const ms = m?.[2] ? Date.parse(m[2].endsWith('Z') ? m[2] : `${m[2]}Z`) : Number.NaN
        if (!m || Number.isNaN(ms)) {
          throw new KqlError('SemanticError', `Unsupported where clause '${part.trim()}'`)
        }
        query.bounds.push({ op: m[1] as TimeBound['op'], ms })
      }
      continue
    }
    const bin = /^summarize count\(\) by bin\(TimeGenerated, ?([0-9]+)([mhd])\)$/.exec(stage)
    if (bin?.[1] && bin[2]) {
      const binMs = Number(bin[1]) * (TIMESPAN[bin[2]] ?? 0)
      if (binMs <= 0) {
        throw new KqlError('SemanticError', 'bin() needs a positive timespan')
      }
      result = { ...query, kind: 'count-by-bin', binMs }
      continue
    }
    const by = /^summarize count\(\) by ([A-Za-z_][A-Za-z0-9_]*)$/.exec(stage)
    if (by?.[1]) {
      result = { ...query, kind: 'count-by-column', byColumn: by[1] }
      continue
    }
    if (stage === 'count') {
      result = { ...query, kind: 'count' }
      continue
    }
    if (/^(sort|order) by TimeGenerated( asc)?$/.test(stage)) {
      query.sorted = true
      continue
    }
    const take = /^(take|limit) ([0-9]{1,9})$/.exec(stage)
    if (take?.[2]) {
      query.take = Number(take[2])
      continue
    }
    throw new KqlError('SyntaxError', `Query could not be parsed at '${stage.slice(0, 60)}'`)
  }
  return result
}

/** Whether a time passes every bound. */
export function withinBounds(ms: number, bounds: readonly TimeBound[]): boolean {
  return bounds.every((b) =>
    b.op === '>=' ? ms >= b.ms : b.op === '>' ? ms > b.ms : b.op === '<' ? ms < b.ms : ms <= b.ms
  )
}

/** Parses an ISO 8601 `start/end` timespan (the only form the product sends); throws. */
export function parseTimespan(text: string): { start: number; end: number } {
  const [a, b, extra] = text.split('/')
  const start = a ? Date.parse(a) : Number.NaN
  const end = b ? Date.parse(b) : Number.NaN
  if (extra !== undefined || Number.isNaN(start) || Number.isNaN(end) || end < start) {
    throw new KqlError('SyntaxError', `Invalid timespan '${text.slice(0, 80)}'`)
  }
  return { start, end }
}
