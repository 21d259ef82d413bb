/**
 * Maps rows of the Sentinel tables the Office 365 connector fills into the unified audit log
 * shape the normalizer reads. Every column is kept under its own name (the raw row), and the
 * UAL names are added beside it: `EventOriginalUid` (or `OfficeId` in `OfficeActivity`) is the
 * record `Id`, `TimeGenerated` the `CreationTime`, and so on. Dynamic columns arrive as JSON text
 * and are parsed back; one that does not parse is kept as text.
 */
import { normalizeRecord } from '../../../../shared/audit'
import type { NormalizedRecord } from '../../../../shared/audit'

import type { LogsColumn } from './log-analytics-client'

/** The columns a table must have to be read: its time and the UAL record Id. */
export interface TableShape {
  table: string
  /** `EventOriginalUid` or `OfficeId`. */
  idColumn: string
  /** The columns `getschema` reported, in order. */
  columns: string[]
}

/** UAL name → column, in preference order. */
const ALIASES: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['Id', ['EventOriginalUid', 'OfficeId']],
  ['CreationTime', ['TimeGenerated']],
  ['Operation', ['EventOriginalType', 'Operation']],
  ['RecordType', ['RecordType']],
  ['UserId', ['ActorName', 'UserId']],
  ['UserKey', ['ActorUserId', 'UserKey']],
  ['UserType', ['ActorUserType', 'UserType']],
  ['Workload', ['Workload', 'OfficeWorkload']],
  ['OrganizationId', ['OrganizationId']],
  ['ResultStatus', ['EventResult', 'ResultStatus']],
  ['ClientIP', ['SrcIpAddr', 'ClientIP']],
  ['ObjectId', ['ObjectId', 'OfficeObjectId']],
  ['PropertyCollection', ['PropertyCollection']]
]

/** The Id column of a table's schema, or undefined when it has none the product knows. */
export function idColumnOf(columns: readonly string[]): string | undefined {
  return ['EventOriginalUid', 'OfficeId'].find((c) => columns.includes(c))
}

/** The outcome of mapping one row. */
export type RowResult = { ok: true; record: NormalizedRecord } | { ok: false; reason: string }

/** Maps one row (in the order of `columns`) into a normalized record; never throws. */
export function mapRow(row: unknown[], columns: readonly LogsColumn[], table: string): RowResult {
  if (row.length !== columns.length) {
    return { ok: false, reason: `the row has ${row.length} values for ${columns.length} columns` }
  }
  const record: Record<string, unknown> = {}
  const byName = new Map<string, unknown>()
  columns.forEach((c, i) => {
    let value = row[i]
    if (c.type === 'dynamic' && typeof value === 'string') {
      try {
        value = JSON.parse(value)
      } catch {
        // Kept as text.
      }
    }
    byName.set(c.name, value)
  })
  for (const [ual, names] of ALIASES) {
    const name = names.find((n) => byName.get(n) !== undefined && byName.get(n) !== null)
    if (name !== undefined) {
      let value = byName.get(name)
      if (ual === 'CreationTime' && typeof value === 'string') {
        // UAL CreationTime has no zone and second precision; the workspace's is ISO with Z.
        value = value.replace(/(\.\d+)?Z$/, '')
      }
      record[ual] = value
    }
  }
  for (const [name, value] of byName) {
    if (!(name in record)) {
      record[name] = value
    }
  }
  record.SourceTable = table
  const result = normalizeRecord({ rawText: JSON.stringify(record), parsed: record })
  return result.ok ? { ok: true, record: result.record } : { ok: false, reason: result.reason }
}
