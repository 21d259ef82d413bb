/**
 * The Azure Data Explorer table `cax push adx` writes and `cax pull --source adx` reads back:
 * its columns, the JSON ingestion mapping, the management commands that create both, and the
 * NDJSON line of one record. The raw record rides whole in `RawRecord` (a string column, so it
 * comes back byte for byte); the other columns are there for KQL filters and are derived from it.
 * `IngestPart` names the push part a row came with (its verification count and re-send check).
 *
 * Shared by the push (main), the ADX source's mapping and the emulator's fake cluster.
 */
import type { NormalizedRecord } from '../audit'

/** Kusto scalar types the table uses. */
export type AdxColumnType = 'datetime' | 'string' | 'int' | 'long' | 'dynamic' | 'bool' | 'real'

/** The columns, in order, with the record field each comes from. */
export const ADX_COLUMNS: ReadonlyArray<readonly [string, AdxColumnType]> = [
  ['TimeGenerated', 'datetime'],
  ['Id', 'string'],
  ['RecordType', 'int'],
  ['Operation', 'string'],
  ['Activity', 'string'],
  ['UserId', 'string'],
  ['Workload', 'string'],
  ['OrganizationId', 'string'],
  ['ClientIP', 'string'],
  ['ObjectId', 'string'],
  ['EnvironmentId', 'string'],
  ['Connector', 'string'],
  ['ResultStatus', 'string'],
  ['RawRecord', 'string'],
  ['IngestPart', 'string']
]

/** The default table and mapping names. */
export const ADX_DEFAULT_TABLE = 'PowerPlatformAudit'
/** The mapping name is versioned with the column list: a new layout gets a new name. */
export const ADX_MAPPING_VERSION = 'cax_v1'

/** Table, database and mapping names Kusto accepts without quoting (the product emits only these). */
export const ADX_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,1023}$/

/** The mapping name for a table: `<Table>_cax_v1`. */
export function adxMappingName(table: string): string {
  return `${table}_${ADX_MAPPING_VERSION}`
}

/** `.create-merge table T (…)`: creates the table, or adds missing columns; never drops data. */
export function adxCreateTableCommand(table: string): string {
  assertName(table)
  const columns = ADX_COLUMNS.map(([name, type]) => `${name}:${type}`).join(', ')
  return `.create-merge table ${table} (${columns})`
}

/** The JSON mapping: each column from the property of the same name. */
export function adxJsonMapping(): Array<{ column: string; path: string; datatype: AdxColumnType }> {
  return ADX_COLUMNS.map(([name, type]) => ({ column: name, path: `$.${name}`, datatype: type }))
}

/** `.create-or-alter table T ingestion json mapping 'name' '[…]'`. */
export function adxCreateMappingCommand(table: string): string {
  assertName(table)
  // The mapping text is a KQL string literal in single quotes: JSON has no single quotes here.
  return `.create-or-alter table ${table} ingestion json mapping '${adxMappingName(table)}' '${JSON.stringify(adxJsonMapping())}'`
}

/** The table's row for a record, as one JSON object (a line of the NDJSON a part sends). */
export function adxRowOf(record: NormalizedRecord, part: string): Record<string, unknown> {
  return {
    TimeGenerated: record.createdAt,
    Id: record.id,
    RecordType: record.recordType,
    Operation: record.operation,
    Activity: record.activity,
    UserId: record.userId,
    Workload: record.workload,
    OrganizationId: record.organizationId,
    ClientIP: record.clientIp,
    ObjectId: record.objectId,
    EnvironmentId: record.environment,
    Connector: record.connector,
    ResultStatus: record.resultStatus,
    RawRecord: record.raw,
    IngestPart: part
  }
}

function assertName(name: string): void {
  if (!ADX_NAME.test(name)) {
    throw new Error(`'${name}' is not a table name Azure Data Explorer accepts unquoted`)
  }
}
