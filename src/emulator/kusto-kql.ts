/**
 * The KQL and management-command subset the fake Azure Data Explorer cluster understands:
 * exactly what the product emits (docs/emulator.md, "Azure Data Explorer"). Anything else is
 * refused with the 400 the real engine gives for a query it cannot parse, never ignored.
 *
 * Queries (`/v2/rest/query`):
 *   <Table> | getschema
 *   <Table> [| where <p> [and <p>]…]… [| summarize count() by bin(TimeGenerated, 1h) | count]
 *           [| sort by TimeGenerated asc] [| take <n>]
 *   where <p> is `TimeGenerated <op> datetime(<iso>)` or `<Column> == '<text>'`
 * Management commands (`/v1/rest/mgmt`):
 *   .create-merge table <T> (<col>:<type>, …)
 *   .create-or-alter table <T> ingestion json mapping '<name>' '<json>'
 *   .show tables | .show table <T> ingestion json mappings
 *   .ingest inline into table <T> with (format='multijson', ingestionMappingReference='<m>',
 *           tags='["ingest-by:…"]', ingestIfNotExists='["…"]') <| <data>
 */
import { KqlError, withinBounds } from './log-analytics-kql'
import type { TimeBound } from './log-analytics-kql'

export { KqlError, withinBounds }

/** An equality filter on a string column. */
export interface ColumnEquals {
  column: string
  value: string
}

/** A parsed data query. */
export interface KustoDataQuery {
  kind: 'rows' | 'count' | 'count-by-bin'
  table: string
  bounds: TimeBound[]
  equals: ColumnEquals[]
  binMs: number
  take: number | undefined
}

/** A parsed query. */
export type KustoQuery = { kind: 'getschema'; table: string } | KustoDataQuery

/** A parsed management command. */
export type KustoCommand =
  | { kind: 'create-merge-table'; table: string; columns: Array<[string, string]> }
  | { kind: 'create-mapping'; table: string; name: string; mapping: unknown }
  | { kind: 'show-tables' }
  | { kind: 'show-mappings'; table: string }
  | { kind: 'ingest-inline'; table: string; properties: Record<string, string>; data: string }

const NAME = '[A-Za-z_][A-Za-z0-9_]*'
const BOUND = new RegExp(
  `^TimeGenerated\\s*(>=|<=|>|<)\\s*datetime\\(\\s*([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z?)\\s*\\)$`
)
const EQUALS = new RegExp(`^(${NAME})\\s*==\\s*(?:'([^'\\\\]*)'|"([^"\\\\]*)")$`)
const TYPES = new Set(['datetime', 'string', 'int', 'long', 'dynamic', 'bool', 'real', 'guid'])
const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 }

/** Parses one query of the subset; throws {@link KqlError}. */
export function parseKustoQuery(text: string): KustoQuery {
  if (text.length > 10_000) {
    throw new KqlError('SyntaxError', 'The query is longer than this emulator accepts.')
  }
  const stages = text.split('|').map((s) => s.trim().replace(/\s+/g, ' '))
  const table = stages[0] ?? ''
  if (!new RegExp(`^${NAME}$`).test(table)) {
    throw new KqlError(
      'SyntaxError',
      `Syntax error: Query could not be parsed at '${table.slice(0, 40)}'`
    )
  }
  if (stages.length === 2 && stages[1] === 'getschema') {
    return { kind: 'getschema', table }
  }
  const query: KustoDataQuery = {
    kind: 'rows',
    table,
    bounds: [],
    equals: [],
    binMs: 0,
    take: undefined
  }
  let result = query
  for (const stage of stages.slice(1)) {
    if (result.kind !== 'rows') {
      throw new KqlError('SemanticError', `'${stage}' after an aggregation is not supported`)
    }
    const where = /^where (.+)$/.exec(stage)
    if (where?.[1]) {
      for (const part of where[1].split(/ and /i).map((p) => p.trim())) {
        const bound = BOUND.exec(part)
        if (bound?.[1] && bound[2]) {
          const ms = Date.parse(bound[2].endsWith('Z') ? bound[2] : `${bound[2]}Z`)
          if (Number.isNaN(ms)) {
            throw new KqlError('SemanticError', `Invalid datetime in '${part}'`)
          }
          query.bounds.push({ op: bound[1] as TimeBound['op'], ms })
          continue
        }
        const eq = EQUALS.exec(part)
        if (eq?.[1]) {
          query.equals.push({ column: eq[1], value: eq[2] ?? eq[3] ?? '' })
          continue
        }
        throw new KqlError('SemanticError', `Unsupported where clause '${part.slice(0, 80)}'`)
      }
      continue
    }
    const bin = /^summarize count\(\) by bin\(TimeGenerated, ?([0-9]+)([mhd])\)$/.exec(stage)
    if (bin?.[1] && bin[2]) {
      const binMs = Number(bin[1]) * (UNITS[bin[2]] ?? 0)
      if (binMs <= 0) {
        throw new KqlError('SemanticError', 'bin() needs a positive timespan')
      }
      result = { ...query, kind: 'count-by-bin', binMs }
      continue
    }
    if (stage === 'count') {
      result = { ...query, kind: 'count' }
      continue
    }
    if (/^(sort|order) by TimeGenerated( asc)?$/.test(stage)) {
      continue
    }
    const take = /^(take|limit) ([0-9]{1,9})$/.exec(stage)
    if (take?.[2]) {
      query.take = Number(take[2])
      continue
    }
    throw new KqlError(
      'SyntaxError',
      `Syntax error: Query could not be parsed at '${stage.slice(0, 60)}'`
    )
  }
  return result
}

/** Parses one management command of the subset; throws {@link KqlError}. */
export function parseKustoCommand(text: string): KustoCommand {
  const trimmed = text.trimStart()
  const inline = new RegExp(
    `^\\.ingest inline into table (${NAME})(?: with \\(([^)]*)\\))? <\\|\\s?([\\s\\S]*)$`
  ).exec(trimmed)
  if (inline?.[1]) {
    return {
      kind: 'ingest-inline',
      table: inline[1],
      properties: parseProperties(inline[2] ?? ''),
      data: inline[3] ?? ''
    }
  }
  const oneLine = trimmed.trim()
  if (oneLine.length > 1_000_000) {
    throw new KqlError('SyntaxError', 'The command is longer than this emulator accepts.')
  }
  const create = new RegExp(`^\\.create-merge table (${NAME}) ?\\((.*)\\)$`, 's').exec(oneLine)
  if (create?.[1] && create[2] !== undefined) {
    const columns = create[2].split(',').map((c): [string, string] => {
      const m = new RegExp(`^\\s*(${NAME})\\s*:\\s*([a-z]+)\\s*$`).exec(c)
      if (!m?.[1] || !m[2] || !TYPES.has(m[2])) {
        throw new KqlError(
          'SyntaxError',
          `Syntax error: invalid column declaration '${c.trim().slice(0, 60)}'`
        )
      }
      return [m[1], m[2]]
    })
    return { kind: 'create-merge-table', table: create[1], columns }
  }
  const mapping = new RegExp(
    `^\\.create-or-alter table (${NAME}) ingestion json mapping '(${NAME})' '(.*)'$`,
    's'
  ).exec(oneLine)
  if (mapping?.[1] && mapping[2] && mapping[3] !== undefined) {
    let value: unknown
    try {
      value = JSON.parse(mapping[3])
    } catch {
      throw new KqlError('SemanticError', 'The ingestion mapping is not valid JSON.')
    }
    return { kind: 'create-mapping', table: mapping[1], name: mapping[2], mapping: value }
  }
  if (oneLine === '.show tables') {
    return { kind: 'show-tables' }
  }
  const show = new RegExp(`^\\.show table (${NAME}) ingestion json mappings$`).exec(oneLine)
  if (show?.[1]) {
    return { kind: 'show-mappings', table: show[1] }
  }
  throw new KqlError(
    'SyntaxError',
    `Syntax error: unknown or unsupported command '${oneLine.slice(0, 60)}'`
  )
}

/** `k='v', k2="v2"` → a map; refuses anything else. */
function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const re = /\s*([A-Za-z]+)\s*=\s*(?:'([^']*)'|"([^"]*)"|([A-Za-z0-9_]+))\s*(,|$)/y
  let at = 0
  while (at < text.length) {
    re.lastIndex = at
    const m = re.exec(text)
    if (!m?.[1]) {
      throw new KqlError(
        'SyntaxError',
        `Syntax error: invalid ingestion property at '${text.slice(at, at + 40)}'`
      )
    }
    out[m[1]] = m[2] ?? m[3] ?? m[4] ?? ''
    at = re.lastIndex
  }
  return out
}
