/**
 * The workspace source: reads Power Platform activity from a Log Analytics (Microsoft Sentinel)
 * workspace with KQL through the shared window planner (`../kql/kql-table-pull.ts`: count by
 * hour first, spans under the 500,000-row / ~64 MB answer limits, a `PartialError` or truncation
 * split and read again), into the one ingest path. Ledger windows have source `workspace` and
 * content type `Table@workspace-id`.
 */
import { pullKqlTables } from '../kql/kql-table-pull'
import type { KqlEngine, KqlPullOptions, KqlPullResult } from '../kql/kql-table-pull'

import { LogAnalyticsError } from './log-analytics-client'
import type { LogAnalyticsClient } from './log-analytics-client'
import { idColumnOf, mapRow } from './workspace-rows'

export { KqlSchemaError as WorkspaceSchemaError } from '../kql/kql-table-pull'

/** What to read. */
export interface WorkspacePullRequest {
  /** The Entra tenant (ledger entries are per tenant). */
  tenantId: string
  workspaceId: string
  /** Tables to read, e.g. `PowerPlatformAdminActivity`. */
  tables: string[]
  since: Date
  until: Date
}

export interface WorkspacePullOptions extends KqlPullOptions {
  client: LogAnalyticsClient
}

/** The account of one pull. */
export type WorkspacePullResult = KqlPullResult

/** Reads the request's tables into the sink. Auth refusals (401/403) throw; other failures are recorded. */
export async function pullWorkspace(
  request: WorkspacePullRequest,
  options: WorkspacePullOptions
): Promise<WorkspacePullResult> {
  const { client, ...rest } = options
  const workspaceId = request.workspaceId
  const engine: KqlEngine = {
    source: 'workspace',
    label: (table) => `${table}@${workspaceId.toLowerCase()}`,
    query: (kql, span, signal) => client.query(workspaceId, kql, span, signal),
    isAuthError: (error) => error instanceof LogAnalyticsError && error.isAuth,
    counters: client,
    idColumns: ['EventOriginalUid', 'OfficeId'],
    idColumnOf,
    mapRow
  }
  return pullKqlTables(engine, request, rest)
}
