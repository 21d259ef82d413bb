/**
 * The fake workspace's custom (`_CL`) tables and the data collection rules that feed them, as an
 * admin deploys them: the table from its ARM definition (`properties.schema.columns`), the rule
 * from its DCR JSON (`streamDeclarations`, `destinations.logAnalytics`, `dataFlows`). Only what
 * the Logs Ingestion API and the query API need is kept. Both fakes read and write here, so rows
 * sent through a rule can be queried back.
 */
import { randomBytes } from 'node:crypto'

/** Column types a custom table and a stream declaration may use. */
export const CUSTOM_COLUMN_TYPES = [
  'string',
  'int',
  'long',
  'real',
  'boolean',
  'datetime',
  'dynamic',
  'guid'
] as const
export type CustomColumnType = (typeof CUSTOM_COLUMN_TYPES)[number]

/** A column of a custom table or stream. */
export interface CustomColumn {
  name: string
  type: CustomColumnType
}

/** A `_CL` table: its columns (TimeGenerated first or not, as defined) and rows in arrival order. */
export interface CustomTable {
  workspaceId: string
  name: string
  columns: CustomColumn[]
  rows: unknown[][]
}

/** A deployed data collection rule with one stream into one custom table. */
export interface DataCollectionRule {
  immutableId: string
  workspaceId: string
  /** `Custom-<Table>_CL` → its declared columns. */
  streams: Map<string, CustomColumn[]>
  /** Input stream → output table name (`Custom-X_CL` → `X_CL`). */
  flows: Map<string, string>
}

/** A definition the fake refuses, with the reason ARM would give. */
export class DefinitionError extends Error {}

/**
 * Column names the workspace reserves (Azure Monitor "Tables" docs: standard columns); a custom
 * table may not define them. `Id` is why the UAL record Id needs another name.
 */
const RESERVED = new Set(
  ['id', 'tenantid', 'type', 'sourcesystem', 'mg', 'managementgroupname'].map((n) => n)
)
const COLUMN_NAME = /^[A-Za-z][A-Za-z0-9_]{0,44}$/
const TABLE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,40}_CL$/

/** Custom tables and rules of the fake workspaces. */
export class CustomTables {
  private readonly tables = new Map<string, CustomTable>()
  private readonly rules = new Map<string, DataCollectionRule>()

  /** The table `name` of a workspace, if defined. */
  table(workspaceId: string, name: string): CustomTable | undefined {
    return this.tables.get(`${workspaceId.toLowerCase()}|${name}`)
  }

  /** A rule by its immutable id. */
  rule(immutableId: string): DataCollectionRule | undefined {
    return this.rules.get(immutableId)
  }

  /**
   * Creates (or updates, keeping rows) a custom table from its ARM body
   * `{ properties: { schema: { name, columns: [{ name, type }] } } }`.
   */
  defineTable(workspaceId: string, definition: unknown): CustomTable {
    const schema = (definition as { properties?: { schema?: unknown } } | null)?.properties?.schema
    const name = (schema as { name?: unknown } | undefined)?.name
    if (typeof name !== 'string' || !TABLE_NAME.test(name)) {
      throw new DefinitionError(
        `The table name must end with _CL and use letters, digits and _ (got ${JSON.stringify(name)}).`
      )
    }
    const columns = parseColumns((schema as { columns?: unknown }).columns, `table ${name}`)
    for (const c of columns) {
      if (RESERVED.has(c.name.toLowerCase()) || c.name.startsWith('_')) {
        throw new DefinitionError(`Column name '${c.name}' is reserved in table ${name}.`)
      }
    }
    const time = columns.find((c) => c.name === 'TimeGenerated')
    if (!time || time.type !== 'datetime') {
      throw new DefinitionError(`Table ${name} needs a TimeGenerated column of type datetime.`)
    }
    const key = `${workspaceId.toLowerCase()}|${name}`
    const existing = this.tables.get(key)
    if (existing) {
      // A schema change keeps old columns (the service never drops columns on update).
      for (const c of columns) {
        if (!existing.columns.some((e) => e.name === c.name)) {
          existing.columns.push(c)
          for (const row of existing.rows) {
            row.push(null)
          }
        }
      }
      return existing
    }
    const table: CustomTable = { workspaceId: workspaceId.toLowerCase(), name, columns, rows: [] }
    this.tables.set(key, table)
    return table
  }

  /**
   * Deploys a rule from its JSON (`kind: Direct` or with a DCE), sending to `workspaceId`'s
   * custom tables; returns its new immutable id. Each data flow must name a declared stream and
   * an existing `Custom-<Table>_CL` output; only the `source` transformation is supported.
   */
  deployRule(workspaceId: string, definition: unknown): DataCollectionRule {
    const props = (definition as { properties?: Record<string, unknown> } | null)?.properties
    const declarations = props?.streamDeclarations
    if (!declarations || typeof declarations !== 'object') {
      throw new DefinitionError('The rule has no properties.streamDeclarations.')
    }
    const streams = new Map<string, CustomColumn[]>()
    for (const [stream, value] of Object.entries(declarations)) {
      if (!/^Custom-[A-Za-z0-9_]+$/.test(stream)) {
        throw new DefinitionError(`Stream '${stream}' must be named Custom-<name>.`)
      }
      streams.set(stream, parseColumns((value as { columns?: unknown }).columns, stream))
    }
    const flows = new Map<string, string>()
    const dataFlows = Array.isArray(props?.dataFlows) ? props.dataFlows : []
    if (dataFlows.length === 0) {
      throw new DefinitionError('The rule has no properties.dataFlows.')
    }
    for (const flow of dataFlows as Array<Record<string, unknown>>) {
      const input = Array.isArray(flow.streams) ? flow.streams[0] : undefined
      const output = flow.outputStream
      if (typeof input !== 'string' || !streams.has(input)) {
        throw new DefinitionError(
          `A data flow names stream ${String(input)}, which is not declared.`
        )
      }
      if (typeof output !== 'string' || !output.startsWith('Custom-')) {
        throw new DefinitionError('A data flow needs outputStream Custom-<Table>_CL.')
      }
      const transform = flow.transformKql ?? 'source'
      if (transform !== 'source') {
        throw new DefinitionError('This emulator supports only transformKql "source".')
      }
      const tableName = output.slice('Custom-'.length)
      const table = this.table(workspaceId, tableName)
      if (!table) {
        throw new DefinitionError(
          `The output table ${tableName} does not exist in the workspace: create the table first.`
        )
      }
      flows.set(input, tableName)
    }
    const rule: DataCollectionRule = {
      immutableId: `dcr-${randomBytes(16).toString('hex')}`,
      workspaceId: workspaceId.toLowerCase(),
      streams,
      flows
    }
    this.rules.set(rule.immutableId, rule)
    return rule
  }
}

function parseColumns(value: unknown, where: string): CustomColumn[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new DefinitionError(`${where} has no columns.`)
  }
  const seen = new Set<string>()
  return value.map((c: unknown) => {
    const name = (c as { name?: unknown } | null)?.name
    const type = (c as { type?: unknown } | null)?.type
    if (typeof name !== 'string' || !COLUMN_NAME.test(name)) {
      throw new DefinitionError(`${where}: column name ${JSON.stringify(name)} is not valid.`)
    }
    if (!CUSTOM_COLUMN_TYPES.includes(type as CustomColumnType)) {
      throw new DefinitionError(
        `${where}: column ${name} has unknown type ${JSON.stringify(type)}.`
      )
    }
    if (seen.has(name.toLowerCase())) {
      throw new DefinitionError(`${where}: column ${name} is defined twice.`)
    }
    seen.add(name.toLowerCase())
    return { name, type: type as CustomColumnType }
  })
}
