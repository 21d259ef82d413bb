/**
 * A sync of a workspace or Azure Data Explorer profile in the app: the KQL source
 * (`pullWorkspace` / `pullAdx`, the same code as `cax pull --source workspace|adx`) writing into
 * the app's sink (the renderer's cache, batch by batch with back-pressure), reported in the
 * shape of the tenant sync's progress and result.
 */
import type { LedgerDelta } from '../../../shared/acquisition'
import type { NormalizedRecord } from '../../../shared/audit'
import type { AdxSourceSettings, Profile, WorkspaceSettings } from '../../../shared/profiles'
import { BearerHttp } from '../audit-api/bearer-http'
import { tokenDestination } from '../audit-api/token-destination'
import type { HttpsClient } from '../http/https-client'
import { AdxClient } from '../sources/adx/adx-client'
import { pullAdx } from '../sources/adx/adx-pull'
import type { KqlPullResult } from '../sources/kql/kql-table-pull'
import { LogAnalyticsClient } from '../sources/log-analytics/log-analytics-client'
import { pullWorkspace } from '../sources/log-analytics/workspace-pull'

import type { RecordSink, SyncProgress, SyncResult } from './types'

/** What a KQL source's sync needs besides its own settings. */
interface KqlSyncRunOptions {
  tenantId: string
  http: HttpsClient
  /** A delegated token for the source's API from the profile's account. */
  token: (forceRefresh: boolean) => Promise<string>
  sink: RecordSink
  since: Date
  until: Date
  signal: AbortSignal
  onProgress: (progress: SyncProgress) => void
  /** Client knobs for tests (sleep…). */
  clientOptions?: { sleep?: (ms: number, signal?: AbortSignal) => Promise<void> }
}

export interface WorkspaceSyncOptions extends KqlSyncRunOptions {
  profile: Profile
  workspace: WorkspaceSettings
  /** The Log Analytics query API base main configured for the profile. */
  base: string
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
  return runKqlSync({
    source: 'workspace',
    counters: client,
    sink: o.sink,
    onProgress: o.onProgress,
    pull: (sink) =>
      pullWorkspace(
        {
          tenantId: o.tenantId,
          workspaceId: o.workspace.workspaceId,
          tables: o.workspace.tables,
          since: o.since,
          until: o.until
        },
        { client, sink, signal: o.signal }
      )
  })
}

export interface AdxSyncOptions extends KqlSyncRunOptions {
  adx: AdxSourceSettings
}

/** Reads the profile's Azure Data Explorer table over the range into the sink (`cax pull --source adx`'s code). */
export async function runAdxSync(o: AdxSyncOptions): Promise<SyncResult> {
  const client = new AdxClient({
    // The token goes only to the cluster saved with the profile.
    http: new BearerHttp({
      http: o.http,
      destination: tokenDestination('the Azure Data Explorer cluster', o.adx.cluster),
      token: o.token
    }),
    cluster: o.adx.cluster,
    ...(o.clientOptions ?? {})
  })
  return runKqlSync({
    source: 'adx',
    counters: client,
    sink: o.sink,
    onProgress: o.onProgress,
    pull: (sink) =>
      pullAdx(
        {
          tenantId: o.tenantId,
          cluster: o.adx.cluster,
          database: o.adx.database,
          tables: [o.adx.table],
          since: o.since,
          until: o.until
        },
        { client, sink, signal: o.signal }
      )
  })
}

/**
 * The shared half of a KQL source's sync in the app: the source's pull writing into the app's
 * sink (the renderer's cache, batch by batch with back-pressure), reported in the shape of the
 * tenant sync's progress and result.
 */
async function runKqlSync(o: {
  source: 'workspace' | 'adx'
  counters: { requests: number; throttled: number }
  sink: RecordSink
  onProgress: (progress: SyncProgress) => void
  pull: (sink: RecordSink) => Promise<KqlPullResult>
}): Promise<SyncResult> {
  const client = o.counters
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
          source: o.source,
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
  const result = await o.pull(sink)
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
