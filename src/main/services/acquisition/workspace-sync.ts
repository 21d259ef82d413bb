/**
 * A sync of a workspace profile in the app: the workspace source (`pullWorkspace`, the same code
 * as `cax pull --source workspace`) writing into the app's sink (the renderer's cache, batch by
 * batch with back-pressure), reported in the shape of the tenant sync's progress and result.
 */
import type { LedgerDelta } from '../../../shared/acquisition'
import type { NormalizedRecord } from '../../../shared/audit'
import type { Profile, WorkspaceSettings } from '../../../shared/profiles'
import { BearerHttp } from '../audit-api/bearer-http'
import { tokenDestination } from '../audit-api/token-destination'
import type { HttpsClient } from '../http/https-client'
import { LogAnalyticsClient } from '../sources/log-analytics/log-analytics-client'
import { pullWorkspace } from '../sources/log-analytics/workspace-pull'

import type { RecordSink, SyncProgress, SyncResult } from './types'

export interface WorkspaceSyncOptions {
  profile: Profile
  workspace: WorkspaceSettings
  /** The Log Analytics query API base main configured for the profile. */
  base: string
  tenantId: string
  http: HttpsClient
  /** A delegated Log Analytics token of the profile's account. */
  token: (forceRefresh: boolean) => Promise<string>
  sink: RecordSink
  since: Date
  until: Date
  signal: AbortSignal
  onProgress: (progress: SyncProgress) => void
  /** Client knobs for tests (sleep…). */
  clientOptions?: { sleep?: (ms: number, signal?: AbortSignal) => Promise<void> }
}

/** Reads the profile's workspace tables over the range into the sink. */
export async function runWorkspaceSync(o: WorkspaceSyncOptions): Promise<SyncResult> {
  const client = new LogAnalyticsClient({
    // The token goes only to the base configured for the profile (cloud table or the demo's).
    http: new BearerHttp({
      http: o.http,
      destination: tokenDestination('the Log Analytics query API', o.base),
      token: o.token
    }),
    base: o.base,
    ...(o.clientOptions ?? {})
  })
  const progress: SyncProgress = {
    phase: 'querying',
    window: null,
    windowsPlanned: 0,
    windowsDone: 0,
    blobsListed: 0,
    blobsDone: 0,
    blobsFailed: 0,
    blobsExpired: 0,
    blobsSkipped: 0,
    records: 0,
    new: 0,
    duplicates: 0,
    rejected: 0,
    requests: 0,
    throttle: { isThrottled: false, events: 0, resumesAt: null }
  }
  const sink: RecordSink = {
    loadLedger: () => o.sink.loadLedger(),
    commit: async (batch: { records: NormalizedRecord[]; ledger: LedgerDelta }) => {
      const counted = await o.sink.commit(batch)
      progress.records += batch.records.length
      progress.new += counted.new
      progress.duplicates += counted.duplicates
      progress.requests = client.requests
      progress.throttle = { isThrottled: false, events: client.throttled, resumesAt: null }
      const window = batch.ledger.windows[0]
      if (window) {
        progress.window = {
          source: 'workspace',
          contentType: window.contentType,
          start: window.start,
          end: window.end
        }
        if (
          window.status === 'complete' ||
          window.status === 'partial' ||
          window.status === 'failed'
        ) {
          progress.windowsDone++
        }
      }
      o.onProgress({ ...progress })
      return counted
    }
  }
  const result = await pullWorkspace(
    {
      tenantId: o.tenantId,
      workspaceId: o.workspace.workspaceId,
      tables: o.workspace.tables,
      since: o.since,
      until: o.until
    },
    { client, sink, signal: o.signal }
  )
  o.onProgress({ ...progress, phase: 'done', requests: result.requests })
  return {
    records: result.records,
    new: result.new,
    duplicates: result.duplicates,
    rejected: result.rejected,
    gaps: 0,
    windows: {
      complete: result.windows.complete + result.windows.listed,
      partial: result.windows.partial,
      failed: result.windows.failed
    },
    blobs: { listed: 0, done: 0, failed: 0, expired: 0, skipped: 0 },
    requests: result.requests,
    throttleEvents: result.throttled,
    windowRuleErrors: 0,
    errors: result.failedWindows.flatMap((w) => (w.error ? [w.error] : [])).slice(-50),
    failedWindows: result.failedWindows
  }
}
