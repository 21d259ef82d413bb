/**
 * History older than the Management API's 7 days, from the Graph audit log query API
 * (management-api.md §3, checklist items 18–26): one query per UTC day, polled with back-off,
 * paged through `@odata.nextLink`, split in halves while the server says the record-count limit
 * was exceeded, stopped with a clear error on `failed` / `cancelled`.
 */
import { emptyDelta, queryKey, windowKey } from '../../../shared/acquisition'
import type { LedgerQuery, LedgerWindow, WindowStatus } from '../../../shared/acquisition'
import { normalizeRecord } from '../../../shared/audit'
import type { NormalizedRecord } from '../../../shared/audit'
import { AuditApiError } from '../audit-api/api-error'
import { GraphAuditClient } from '../audit-api/graph-audit-client'
import type { GraphVersion } from '../audit-api/graph-audit-client'
import type { HttpsClient } from '../http/https-client'

import { newWindow, toLedgerError } from './retry'
import type { RunContext } from './run-context'
import { AcquisitionError } from './types'
import { planDayWindows } from './windows'

/**
 * Graph `auditLogRecordType` values of Power Platform records (audit-events.md §3.1): the default
 * server-side filter.
 */
export const POWER_PLATFORM_RECORD_TYPES = [
  'powerAppsResource',
  'powerAppsApp',
  'powerAppsPlan',
  'microsoftFlow',
  'powerPlatformAdminDlp',
  'powerPlatformAdminEnvironment',
  'powerPlatformServiceActivity',
  'powerPagesSite',
  'powerPlatformAdministratorActivity'
] as const

/** Inputs of {@link runGraphHistory}. */
export interface GraphHistoryOptions {
  http: HttpsClient
  graphBase: string
  version: GraphVersion
  token: (forceRefresh?: boolean) => Promise<string>
  /** Event-time span `[start, end)`. */
  start: number
  end: number
  pageSize: number
  minSplitMs: number
  poll: { firstMs: number; maxMs: number; timeoutMs: number }
  countWindow(status: WindowStatus): void
}

/** Runs the Graph part of a sync. */
export async function runGraphHistory(ctx: RunContext, o: GraphHistoryOptions): Promise<void> {
  const client = new GraphAuditClient({
    http: o.http,
    graphBase: o.graphBase,
    version: o.version,
    token: o.token
  })
  const filter = ctx.request.allRecords ? 'all' : 'power-platform'
  const recordTypes = ctx.request.allRecords ? [] : [...POWER_PLATFORM_RECORD_TYPES]
  const tenantId = ctx.request.tenantId
  const at = (): string => new Date(ctx.serverNow()).toISOString()
  const days = planDayWindows(o.start, o.end)
  ctx.progress.windowsPlanned += days.length
  for (const day of days) {
    const key = windowKey('graph', tenantId, filter, day.day)
    const existing = ctx.ledger.windows[key]
    if (
      existing?.status === 'complete' &&
      Date.parse(existing.start) <= day.start &&
      Date.parse(existing.end) >= day.end
    ) {
      o.countWindow('complete')
      ctx.progress.windowsDone++
      continue
    }
    let window: LedgerWindow = {
      ...(existing ?? newWindow(key, tenantId, 'graph', filter, at())),
      start: new Date(day.start).toISOString(),
      end: new Date(day.end).toISOString(),
      status: 'pending'
    }
    ctx.progress.phase = 'querying'
    ctx.progress.window = {
      source: 'graph',
      contentType: filter,
      start: window.start,
      end: window.end
    }
    ctx.emit()
    const spans: Array<[number, number]> = [[day.start, day.end]]
    let status: WindowStatus = 'complete'
    while (spans.length > 0) {
      const [a, b] = spans.shift() ?? [0, 0]
      const qkey = queryKey(tenantId, filter, a, b)
      const done = ctx.ledger.queries[qkey]
      if (done?.status === 'succeeded') {
        continue
      }
      if (done?.status === 'split') {
        const mid = a + Math.floor((b - a) / 2)
        spans.unshift([a, mid], [mid, b])
        continue
      }
      // A query that was running when an earlier run stopped is resumed from its saved id and
      // next link rather than created again (fewer queries against the quota, checklist 22).
      const isResumable = done?.status === 'running' && done.queryId !== null
      let query: LedgerQuery = isResumable
        ? { ...done, attempts: done.attempts + 1, lastError: null, finishedAt: null }
        : {
            key: qkey,
            tenantId,
            windowKey: key,
            queryId: null,
            start: new Date(a).toISOString(),
            end: new Date(b).toISOString(),
            recordTypes,
            status: 'pending',
            approximateCount: null,
            isRecordCountLimitExceeded: false,
            received: 0,
            new: 0,
            duplicate: 0,
            rejected: 0,
            attempts: (done?.attempts ?? 0) + 1,
            lastError: null,
            createdAt: at(),
            finishedAt: null
          }
      try {
        query = await runQuery(ctx, client, o, query, (q) => (window = addQuery(window, q)))
      } catch (error) {
        if (error instanceof AcquisitionError && error.code === 'cancelled') {
          throw error
        }
        const info = toLedgerError(error)
        query = { ...query, status: 'failed', lastError: info, finishedAt: at() }
        window = { ...window, status: 'failed', lastError: info, updatedAt: at() }
        ctx.noteError(info)
        await ctx.commit([], { ...emptyDelta(), queries: [query], windows: [window] })
        ctx.log.error(
          `[acquire] Graph query ${query.start}–${query.end} failed: ${info.code} ${info.message}`
        )
        o.countWindow('failed')
        ctx.progress.windowsDone++
        if (error instanceof AcquisitionError) {
          // failed / cancelled on the server, or a time-out: stop with the clear error.
          throw error
        }
        status = 'failed'
        break
      }
      if (query.status === 'split') {
        const mid = a + Math.floor((b - a) / 2)
        spans.unshift([a, mid], [mid, b])
      }
    }
    if (status === 'failed') {
      continue
    }
    window = {
      ...window,
      status: 'complete',
      listCount: window.listCount + 1,
      firstListedAt: window.firstListedAt ?? at(),
      lastListedAt: at(),
      completedAt: at(),
      lastError: null,
      updatedAt: at()
    }
    await ctx.commit([], { ...emptyDelta(), windows: [window] })
    o.countWindow('complete')
    ctx.progress.windowsDone++
    ctx.emit()
  }
}

function addQuery(
  window: LedgerWindow,
  q: { received: number; new: number; duplicate: number; rejected: number; listed: number }
): LedgerWindow {
  return {
    ...window,
    listed: window.listed + q.listed,
    received: window.received + q.received,
    new: window.new + q.new,
    duplicate: window.duplicate + q.duplicate,
    rejected: window.rejected + q.rejected
  }
}

async function runQuery(
  ctx: RunContext,
  client: GraphAuditClient,
  o: GraphHistoryOptions,
  initial: LedgerQuery,
  onCounts: (c: {
    received: number
    new: number
    duplicate: number
    rejected: number
    listed: number
  }) => LedgerWindow
): Promise<LedgerQuery> {
  const at = (): string => new Date(ctx.serverNow()).toISOString()
  let query = initial
  let created = query.queryId ? await resumeQuery(ctx, client, query.queryId) : null
  if (created && query.queryId) {
    ctx.log.info(
      `[acquire] Graph query ${query.queryId} for ${query.start}–${query.end} resumed after ${query.received} record(s)`
    )
  } else {
    if (query.queryId) {
      // Gone on the server: start over with a new query (the store drops repeated Ids).
      query = { ...query, nextLink: null, received: 0, new: 0, duplicate: 0, rejected: 0 }
    }
    created = await ctx.call('create Graph query', () =>
      client.createQuery(
        {
          displayName: `cax ${query.start}–${query.end}`,
          filterStartDateTime: query.start,
          filterEndDateTime: query.end,
          recordTypeFilters: query.recordTypes
        },
        ctx.signal
      )
    )
    query = { ...query, queryId: created.id, status: 'running', nextLink: null }
    ctx.log.info(
      `[acquire] Graph query ${created.id} for ${query.start}–${query.end} (${client.currentVersion})`
    )
    // Saved at once, so a run stopped while polling resumes this query instead of a new one.
    await ctx.commit([], { ...emptyDelta(), queries: [query] })
  }
  const queryId = created.id
  // Poll with back-off until a final status (checklist item 19).
  const started = ctx.serverNow()
  let wait = o.poll.firstMs
  let state = created
  while (!isFinal(state.status)) {
    if (ctx.serverNow() - started > o.poll.timeoutMs) {
      throw new AcquisitionError(
        'graph-timeout',
        `The Graph audit query ${queryId} was still ${state.status} after ${Math.round(o.poll.timeoutMs / 60_000)} minutes.`
      )
    }
    await ctx.sleep(wait, ctx.signal)
    wait = Math.min(o.poll.maxMs, Math.round(wait * 1.5))
    state = await ctx.call('poll Graph query', () => client.getQuery(queryId, ctx.signal))
  }
  const status = state.status.toLowerCase()
  if (status === 'failed' || status === 'cancelled') {
    throw new AcquisitionError(
      'graph-query-failed',
      `The Graph audit query ${queryId} for ${query.start}–${query.end} ended '${status}' on the server; nothing from it was stored. Try again later or with a shorter range.`
    )
  }
  query = {
    ...query,
    approximateCount: state.approximateReturnedRecordCount,
    isRecordCountLimitExceeded: state.isRecordCountLimitExceeded
  }
  const span = Date.parse(query.end) - Date.parse(query.start)
  if (state.isRecordCountLimitExceeded) {
    if (span / 2 < o.minSplitMs) {
      throw new AcquisitionError(
        'graph-query-failed',
        `The Graph audit query for ${query.start}–${query.end} exceeds the record-count limit (${state.recordCountLimit ?? '?'}) even at the smallest split; narrow the filter.`
      )
    }
    // Checklist item 21: a succeeded query can be truncated. Split and re-query the halves.
    query = { ...query, status: 'split', finishedAt: at() }
    ctx.log.info(
      `[acquire] Graph query ${queryId} hit the record-count limit: splitting ${query.start}–${query.end}`
    )
    await ctx.commit([], { ...emptyDelta(), queries: [query] })
    return query
  }
  let url: string | null = query.nextLink ?? client.recordsUrl(queryId, o.pageSize)
  while (url) {
    const pageUrl: string = url
    const page = await ctx.call('read Graph records', () => client.recordsPage(pageUrl, ctx.signal))
    const records: NormalizedRecord[] = []
    let rejected = 0
    for (const r of page.records) {
      const norm = normalizeGraphRecord(r, queryId)
      if (norm.ok) {
        records.push(norm.record)
      } else {
        rejected++
        ctx.log.warn(`[acquire] Graph record rejected (${norm.code}): ${norm.reason}`)
      }
    }
    url = page.nextLink
    query = {
      ...query,
      received: query.received + page.records.length,
      rejected: query.rejected + rejected,
      nextLink: url,
      status: url ? 'running' : 'succeeded',
      finishedAt: url ? null : at()
    }
    const window = onCounts({
      received: page.records.length,
      rejected,
      new: 0,
      duplicate: 0,
      listed: url ? 0 : (query.approximateCount ?? query.received)
    })
    const outcome = await ctx.commit(records, {
      ...emptyDelta(),
      queries: [query],
      windows: [window]
    })
    query = {
      ...query,
      new: query.new + outcome.new,
      duplicate: query.duplicate + outcome.duplicates
    }
    onCounts({
      received: 0,
      rejected: 0,
      new: outcome.new,
      duplicate: outcome.duplicates,
      listed: 0
    })
    ctx.stats.records += page.records.length
    ctx.stats.rejected += rejected
    ctx.emit()
  }
  await ctx.commit([], { ...emptyDelta(), queries: [query] })
  return query
}

/** The saved query's current state, or null when the server no longer knows it (404). */
async function resumeQuery(
  ctx: RunContext,
  client: GraphAuditClient,
  queryId: string
): Promise<Awaited<ReturnType<GraphAuditClient['getQuery']>> | null> {
  try {
    return await ctx.call('poll Graph query', () => client.getQuery(queryId, ctx.signal))
  } catch (error) {
    if (error instanceof AuditApiError && error.status === 404) {
      ctx.log.warn(`[acquire] Graph query ${queryId} is gone on the server; creating a new one`)
      return null
    }
    throw error
  }
}

function isFinal(status: string): boolean {
  const s = status.toLowerCase()
  return s === 'succeeded' || s === 'failed' || s === 'cancelled'
}

/**
 * A Graph `auditLogRecord` to a normalized record: `auditData` is the same PascalCase record as
 * a Management API blob element, with `@odata` annotations (§3.4) that are dropped here.
 */
export function normalizeGraphRecord(
  record: Record<string, unknown>,
  queryId: string
): ReturnType<typeof normalizeRecord> {
  const data = record['auditData']
  const source =
    typeof data === 'object' && data !== null && !Array.isArray(data)
      ? Object.fromEntries(Object.entries(data).filter(([k]) => !k.includes('@odata')))
      : {}
  const id = typeof record['id'] === 'string' ? record['id'] : undefined
  const result = normalizeRecord(JSON.stringify(source), id ? { fallbackId: id } : {})
  if (result.ok) {
    result.record.provenance = {
      source: `graph:${queryId}`,
      line: null,
      rawSha256: null,
      csvCreationDate: null
    }
  }
  return result
}
