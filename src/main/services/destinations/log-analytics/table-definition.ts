/**
 * The `_CL` table records are pushed into, its data collection rule, and the row each record
 * becomes. The admin deploys the two definitions (`cax push loganalytics --print-definitions`);
 * the push then sends rows shaped like the stream declaration.
 *
 * Two columns differ from the unified audit log on purpose:
 * - the UAL `Id` is `UalId`: `Id` is a reserved column name in Log Analytics tables;
 * - the event time is kept in `EventTime` as well as `TimeGenerated`: ingestion replaces a
 *   TimeGenerated older than two days with the ingestion time, so history pushed later would
 *   otherwise lose its time. Query by `EventTime`.
 * `PushRun` and `PushPart` tag every row with the push and the part it came in, so each part can
 * be counted back (`| where PushPart == '…' | count`) and a rerun knows what arrived.
 */
import type { NormalizedRecord } from '../../../../shared/audit'

/** The default table and stream. */
export const DEFAULT_TABLE = 'PowerPlatformAudit_CL'

/** A column of the table and the stream. */
export interface TableColumn {
  name: string
  type: 'string' | 'int' | 'long' | 'real' | 'boolean' | 'datetime' | 'dynamic' | 'guid'
  description: string
}

/** The columns, in order. */
export const PUSH_COLUMNS: readonly TableColumn[] = [
  {
    name: 'TimeGenerated',
    type: 'datetime',
    description: 'Event time; ingestion replaces it when older than two days: use EventTime.'
  },
  { name: 'EventTime', type: 'datetime', description: 'UAL CreationTime (UTC).' },
  { name: 'UalId', type: 'string', description: 'UAL record Id (Id is reserved).' },
  { name: 'RecordType', type: 'int', description: 'UAL RecordType number.' },
  { name: 'RecordTypeName', type: 'string', description: 'UAL RecordType name.' },
  { name: 'Operation', type: 'string', description: 'UAL Operation.' },
  { name: 'Workload', type: 'string', description: 'UAL Workload.' },
  { name: 'UserId', type: 'string', description: 'Acting user or system actor.' },
  { name: 'UserKey', type: 'string', description: 'UAL UserKey.' },
  { name: 'UserType', type: 'int', description: 'UAL UserType number.' },
  { name: 'ClientIP', type: 'string', description: 'Client IP address.' },
  { name: 'ObjectId', type: 'string', description: 'UAL ObjectId.' },
  { name: 'OrganizationId', type: 'string', description: 'Tenant (organization) id.' },
  { name: 'ResultStatus', type: 'string', description: 'UAL ResultStatus.' },
  { name: 'EnvironmentId', type: 'string', description: 'Power Platform environment id.' },
  { name: 'Connector', type: 'string', description: 'Connector involved, when known.' },
  { name: 'Resource', type: 'string', description: 'Item acted on, when known.' },
  { name: 'RawRecord', type: 'dynamic', description: 'The audit record as received.' },
  { name: 'PushRun', type: 'string', description: 'The cax push run that sent the row.' },
  { name: 'PushPart', type: 'string', description: 'The part of that run (count check).' }
]

const TABLE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,40}_CL$/

/** Whether a name is a valid custom table name (`…_CL`). */
export function isCustomTableName(name: string): boolean {
  return TABLE_NAME.test(name)
}

/** The stream a table's rule declares: `Custom-<Table>`. */
export function streamFor(table: string): string {
  return `Custom-${table}`
}

/** The table's ARM body (`PUT …/workspaces/{ws}/tables/{table}?api-version=2022-10-01`). */
export function tableDefinition(table: string, retentionInDays?: number): unknown {
  return {
    properties: {
      schema: {
        name: table,
        description: 'Power Platform audit records pushed by Connector Audit Explorer (cax).',
        columns: PUSH_COLUMNS.map((c) => ({
          name: c.name,
          type: c.type,
          description: c.description
        }))
      },
      plan: 'Analytics',
      ...(retentionInDays !== undefined
        ? { retentionInDays, totalRetentionInDays: retentionInDays }
        : {})
    }
  }
}

/**
 * The data collection rule (`kind: Direct`: it has its own ingestion endpoint, no DCE needed;
 * `PUT …/dataCollectionRules/{name}?api-version=2023-03-11`).
 */
export function ruleDefinition(options: {
  table: string
  workspaceResourceId: string
  location: string
}): unknown {
  const stream = streamFor(options.table)
  return {
    location: options.location,
    kind: 'Direct',
    properties: {
      description: `cax push loganalytics → ${options.table}`,
      streamDeclarations: {
        [stream]: { columns: PUSH_COLUMNS.map((c) => ({ name: c.name, type: c.type })) }
      },
      destinations: {
        logAnalytics: [{ workspaceResourceId: options.workspaceResourceId, name: 'workspace' }]
      },
      dataFlows: [
        {
          streams: [stream],
          destinations: ['workspace'],
          transformKql: 'source',
          outputStream: stream
        }
      ]
    }
  }
}

/** One record as a row of the stream, tagged with its push run and part. */
export function toPushRow(
  record: NormalizedRecord,
  tags: { run: string; part: string }
): Record<string, unknown> {
  let raw: unknown
  try {
    raw = JSON.parse(record.raw)
  } catch {
    raw = record.raw
  }
  return {
    TimeGenerated: record.createdAt,
    EventTime: record.createdAt,
    UalId: record.id,
    RecordType: record.recordType,
    RecordTypeName: record.recordTypeName,
    Operation: record.operation,
    Workload: record.workload,
    UserId: record.userId,
    UserKey: record.userKey,
    UserType: record.userType,
    ClientIP: record.clientIp,
    ObjectId: record.objectId,
    OrganizationId: record.organizationId,
    ResultStatus: record.resultStatus,
    EnvironmentId: record.environment,
    Connector: record.connector,
    Resource: record.resource,
    RawRecord: raw,
    PushRun: tags.run,
    PushPart: tags.part
  }
}
