/**
 * Azure Data Explorer as a source: reads a cluster/database/table with KQL through the shared
 * window planner (`../kql/kql-table-pull.ts`: count by hour first, spans under the 500,000-row /
 * 64 MB truncation limits, a cut answer split and read again) into the one ingest path. Ledger
 * windows have source `adx` and content type `Table@cluster-host/database`.
 *
 * Rows of the table `cax push adx` writes carry the record as received in `RawRecord`: it is
 * normalized from that text, so the raw record comes back byte for byte. Other tables (a copy of
 * the Sentinel tables, say) are mapped like workspace rows: `Id`, `EventOriginalUid` or
 * `OfficeId` is the UAL Id, every column is kept in the raw JSON.
 */
import { normalizeRecord } from '../../../../shared/audit'
import { pullKqlTables } from '../kql/kql-table-pull'
import type {
  KqlColumn,
  KqlEngine,
  KqlPullOptions,
  KqlPullResult,
  KqlRowResult
} from '../kql/kql-table-pull'
import { mapRow as mapWorkspaceRow } from '../log-analytics/workspace-rows'

import { AdxError } from './adx-client'
import type { AdxClient } from './adx-client'

/** What to read. */
export interface AdxPullRequest {
  tenantId: string
  /** The cluster URL, for the ledger's content type. */
  cluster: string
  database: string
  tables: string[]
  since: Date
  until: Date
}

export interface AdxPullOptions extends KqlPullOptions {
  client: AdxClient
}

/** The UAL Id columns an ADX table may have, in preference order. */
export const ADX_ID_COLUMNS = ['Id', 'EventOriginalUid', 'OfficeId'] as const

/** Reads the request's tables into the sink. Auth refusals (401/403) throw; other failures are recorded. */
export async function pullAdx(
  request: AdxPullRequest,
  options: AdxPullOptions
): Promise<KqlPullResult> {
  const { client, ...rest } = options
  const host = new URL(request.cluster).host.toLowerCase()
  const engine: KqlEngine = {
    source: 'adx',
    label: (table) => `${table}@${host}/${request.database}`,
    query: (kql, _span, signal) => client.query(request.database, kql, signal),
    isAuthError: (error) => error instanceof AdxError && error.isAuth,
    counters: client,
    idColumns: ADX_ID_COLUMNS,
    idColumnOf: (columns) => ADX_ID_COLUMNS.find((c) => columns.includes(c)),
    mapRow: mapAdxRow
  }
  return pullKqlTables(engine, request, rest)
}

/** Maps one ADX row: from `RawRecord` when the row has it, otherwise column by column. */
export function mapAdxRow(
  row: unknown[],
  columns: readonly KqlColumn[],
  table: string
): KqlRowResult {
  const rawAt = columns.findIndex((c) => c.name === 'RawRecord')
  const raw = rawAt >= 0 ? row[rawAt] : undefined
  if (typeof raw === 'string' && raw !== '') {
    const result = normalizeRecord(raw)
    if (!result.ok) {
      return { ok: false, reason: `RawRecord: ${result.reason}` }
    }
    const idAt = columns.findIndex((c) => c.name === 'Id')
    const id = idAt >= 0 ? row[idAt] : undefined
    if (typeof id === 'string' && id.toLowerCase() !== result.record.id.toLowerCase()) {
      return {
        ok: false,
        reason: `the row's Id ${id} differs from its RawRecord's ${result.record.id}`
      }
    }
    return { ok: true, record: result.record }
  }
  return mapWorkspaceRow(row, columns, table)
}
