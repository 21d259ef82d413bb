import type { NormalizedRecord } from '../audit'

import type { RecordAnnotation } from './record-annotation'

/**
 * Column sets are data: a list of columns, each with a header and a getter, so the app can export
 * exactly the current view and the CLI can pick columns by id.
 */

/**
 * How a column's values are written.
 *
 * - `text`: a string; guarded against Excel's number/date conversion only when it would lose data.
 * - `id`: an identifier (GUID, hex, numeric id): always kept as text.
 * - `number`: a finite number written as a number.
 * - `boolean`: `TRUE`/`FALSE`.
 * - `datetime`: UTC epoch milliseconds, written as wall-clock time in the export's time zone,
 *   whose label is appended to the header (`CreationTime (UTC)`).
 */
export type ColumnKind = 'text' | 'id' | 'number' | 'boolean' | 'datetime'

/** A cell value before formatting. `null` and `undefined` are empty cells. */
export type CellValue = string | number | boolean | null | undefined

/** One exported column. */
export interface ExportColumn<T> {
  /** Stable id (`createdAt`, `fields.Operation`), used by `--columns` and saved views. */
  id: string
  /** Header text; datetime columns get the zone label appended. */
  header: string
  kind: ColumnKind
  get: (row: T) => CellValue
}

/** One row of a record export: the record and its annotation, if any. */
export interface ExportRow {
  record: NormalizedRecord
  annotation?: RecordAnnotation | undefined
}

type RecordKey = {
  [K in keyof NormalizedRecord]: NormalizedRecord[K] extends string | number | boolean | null
    ? K
    : never
}[keyof NormalizedRecord]

function field(id: RecordKey, header: string, kind: ColumnKind = 'text'): ExportColumn<ExportRow> {
  return { id, header, kind, get: (row) => row.record[id] }
}

/**
 * Every record column, in the grid's default order. `createdAtMs` is the event time
 * (`CreationTime`), `raw` is the record exactly as received.
 */
export const RECORD_COLUMNS: readonly ExportColumn<ExportRow>[] = [
  { id: 'createdAt', header: 'CreationTime', kind: 'datetime', get: (r) => r.record.createdAtMs },
  field('id', 'Id', 'id'),
  field('recordType', 'RecordType', 'number'),
  field('recordTypeName', 'RecordTypeName'),
  field('operation', 'Operation'),
  field('activity', 'Activity'),
  field('category', 'Category'),
  field('workload', 'Workload'),
  field('userId', 'UserId'),
  field('userKey', 'UserKey', 'id'),
  field('userType', 'UserType', 'number'),
  field('userTypeLabel', 'UserTypeLabel'),
  field('clientIp', 'ClientIP'),
  field('objectId', 'ObjectId'),
  field('organizationId', 'OrganizationId', 'id'),
  field('resultStatus', 'ResultStatus'),
  field('succeeded', 'Succeeded', 'boolean'),
  field('isConnectorEvent', 'IsConnectorEvent', 'boolean'),
  field('environment', 'EnvironmentId', 'id'),
  field('environmentName', 'EnvironmentName'),
  field('action', 'Action'),
  field('resource', 'Resource', 'id'),
  field('resourceName', 'ResourceName'),
  field('connector', 'Connector'),
  field('permissionType', 'PermissionType'),
  field('targetUserId', 'TargetUserId'),
  field('dlpSubOperation', 'DlpSubOperation'),
  field('actorRole', 'ActorRole'),
  field('userAgent', 'UserAgent'),
  { id: 'tags', header: 'Tags', kind: 'text', get: (r) => r.annotation?.tags.join('; ') ?? '' },
  { id: 'comment', header: 'Comment', kind: 'text', get: (r) => r.annotation?.comment ?? '' },
  field('raw', 'AuditData')
]

/** The columns exported when none are chosen: everything but the flattened fields. */
export const DEFAULT_RECORD_COLUMN_IDS: readonly string[] = RECORD_COLUMNS.map((c) => c.id)

/** A column that reads one flattened field (`fields.<name>`, as in `NormalizedRecord.fields`). */
export function fieldColumn(name: string, header = name): ExportColumn<ExportRow> {
  return {
    id: `fields.${name}`,
    header,
    kind: /(^|\.)(id|objectid|userkey)$/i.test(name) ? 'id' : 'text',
    get: (r) => (Object.hasOwn(r.record.fields, name) ? r.record.fields[name] : '')
  }
}

/** A column id that is neither a record column nor `fields.<name>`. */
export class UnknownColumnError extends Error {
  constructor(readonly columnIds: string[]) {
    super(
      `Unknown column${columnIds.length > 1 ? 's' : ''} ${columnIds.map((c) => `'${c}'`).join(', ')}. ` +
        `Known: ${DEFAULT_RECORD_COLUMN_IDS.join(', ')}, or fields.<name> for any flattened field`
    )
    this.name = 'UnknownColumnError'
  }
}

/**
 * Resolves column ids (case-insensitive for record columns) to columns, in the order given.
 * `fields.<name>` selects a flattened field. Throws {@link UnknownColumnError} naming every
 * unknown id.
 */
export function resolveRecordColumns(ids: readonly string[]): ExportColumn<ExportRow>[] {
  const byId = new Map(RECORD_COLUMNS.map((c) => [c.id.toLowerCase(), c]))
  const out: ExportColumn<ExportRow>[] = []
  const unknown: string[] = []
  for (const raw of ids) {
    const id = raw.trim()
    if (id === '') {
      continue
    }
    if (id.toLowerCase().startsWith('fields.') && id.length > 'fields.'.length) {
      out.push(fieldColumn(id.slice('fields.'.length)))
      continue
    }
    const col = byId.get(id.toLowerCase())
    if (col) {
      out.push(col)
    } else {
      unknown.push(id)
    }
  }
  if (unknown.length > 0) {
    throw new UnknownColumnError(unknown)
  }
  return out
}
