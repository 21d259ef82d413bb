/**
 * History older than the Management API's 7 days, from the Graph audit log query API
 * (management-api.md §3, checklist items 18–26): one query per UTC day, polled with back-off,
 * paged through `@odata.nextLink`, split in halves while the server says the record-count limit
 * was exceeded. A query that ends `failed` / `cancelled` or times out is created again a few times
 * with back-off; if it keeps failing, its span is recorded as failed with the server's reason and
 * the other spans and days go on (the next sync tries it again).
 */
import { emptyDelta, queryKey, windowKey } from '../../../shared/acquisition'
import type { LedgerQuery, LedgerWindow, WindowStatus } from '../../../shared/acquisition'
import { normalizeRecord } from '../../../shared/audit'
import type { NormalizedRecord } from '../../../shared/audit'
import { AppError } from '../../../shared/errors'
import { AuditApiError } from '../audit-api/api-error'
import { GraphAuditClient, isQueryId, skipTokenOf } from '../audit-api/graph-audit-client'
import type { GraphVersion } from '../audit-api/graph-audit-client'
import type { HttpsClient } from '../http/https-client'

import { newWindow, toLedgerError } from './retry'
import type { RunContext } from './run-context'
import { graphFilter } from './run-plan'
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
  /** Queries created per span before it is recorded as failed, and the back-off between them. */
  retry: { attempts: number; firstMs: number; maxMs: number }
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
  const filter = graphFilter(ctx.request)
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
    let failure: LedgerQuery | null = null
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
      // skip token rather than created again (fewer queries against the quota, checklist 22).
      // Both come from outside main: the id must look like one, and the URL is built here.
      const isResumable =
        done?.status === 'running' && done.queryId !== null && isQueryId(done.queryId)
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
        query = await runQueryWithRetries(
          ctx,
          client,
          o,
          query,
          (q) => (window = addQuery(window, q))
        )
      } catch (error) {
        if (stopsTheRun(error)) {
          throw error
        }
        failure = await recordFailedQuery(ctx, query, window, error)
        continue
      }
      if (query.status === 'split') {
        const mid = a + Math.floor((b - a) / 2)
        spans.unshift([a, mid], [mid, b])
      }
    }
    if (failure) {
      await recordFailedWindow(ctx, window, failure, o)
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

/**
 * Errors that stop the whole run: cancellation, configuration and sign-in problems (no other
 * window could succeed either). Everything else fails one span and the run goes on.
 */
function stopsTheRun(error: unknown): boolean {
  if (error instanceof AppError) {
    return true
  }
  return (
    error instanceof AcquisitionError &&
    error.code !== 'graph-query-failed' &&
    error.code !== 'graph-timeout' &&
    error.code !== 'graph-limit'
  )
}

/** Outcomes worth a new query: `failed` / `cancelled` on the server, or a time-out. */
function isRetriedOutcome(error: unknown): boolean {
  return (
    error instanceof AcquisitionError &&
    (error.code === 'graph-query-failed' || error.code === 'graph-timeout')
  )
}

/**
 * {@link runQuery}, creating the query again (with back-off) when the server ends it `failed` or
 * `cancelled` or it times out, up to `o.retry.attempts` queries in all.
 */
async function runQueryWithRetries(
  ctx: RunContext,
  client: GraphAuditClient,
  o: GraphHistoryOptions,
  initial: LedgerQuery,
  onCounts: Parameters<typeof runQuery>[4]
): Promise<LedgerQuery> {
  let query = initial
  for (let attempt = 1; ; attempt++) {
    try {
      return await runQuery(ctx, client, o, query, onCounts)
    } catch (error) {
      if (!isRetriedOutcome(error) || attempt >= o.retry.attempts) {
        throw error
      }
      const info = toLedgerError(error)
      const wait = Math.min(o.retry.maxMs, o.retry.firstMs * 2 ** (attempt - 1))
      ctx.noteError(info)
      ctx.log.warn(
        `[acquire] Graph query for ${query.start}–${query.end}: ${info.message} Creating it again in ${Math.round(wait / 1000)} s (attempt ${attempt + 1} of ${o.retry.attempts}).`
      )
      await ctx.sleep(wait, ctx.signal)
      // A new query, not the failed one resumed (a final status never changes).
      query = {
        ...query,
        queryId: null,
        skipToken: null,
        status: 'pending',
        attempts: query.attempts + 1,
        lastError: info
      }
    }
  }
}

/** Records a span whose queries kept failing: the query with the server's reason. */
async function recordFailedQuery(
  ctx: RunContext,
  query: LedgerQuery,
  window: LedgerWindow,
  error: unknown
): Promise<LedgerQuery> {
  const at = new Date(ctx.serverNow()).toISOString()
  const info = toLedgerError(error)
  const latest = ctx.ledger.queries[query.key]
  const failed: LedgerQuery = {
    ...(latest && latest.attempts >= query.attempts ? latest : query),
    status: 'failed',
    lastError: info,
    finishedAt: at
  }
  ctx.noteError(info)
  await ctx.commit([], {
    ...emptyDelta(),
    queries: [failed],
    windows: [{ ...window, updatedAt: at }]
  })
  ctx.log.error(
    `[acquire] Graph query ${failed.start}–${failed.end} failed after ${failed.attempts} attempt(s): ${info.code} ${info.message} The other spans go on; the next sync tries it again.`
  )
  return failed
}

/**
 * Ends a day with a failed span: `partial` when other spans of it were stored, `failed` when
 * none was, with the failed span's reason.
 */
async function recordFailedWindow(
  ctx: RunContext,
  window: LedgerWindow,
  failure: LedgerQuery,
  o: GraphHistoryOptions
): Promise<void> {
  const at = new Date(ctx.serverNow()).toISOString()
  const hasStored = Object.values(ctx.ledger.queries).some(
    (q) => q.windowKey === window.key && q.status === 'succeeded'
  )
  const status: WindowStatus = hasStored ? 'partial' : 'failed'
  const reason = failure.lastError ?? { code: 'error', message: 'The query failed.' }
  await ctx.commit([], {
    ...emptyDelta(),
    windows: [
      {
        ...window,
        status,
        attempts: window.attempts + 1,
        lastError: {
          code: reason.code,
          message: `${failure.start}–${failure.end}: ${reason.message}`
        },
        updatedAt: at
      }
    ]
  })
  o.countWindow(status)
  ctx.progress.windowsDone++
  ctx.emit()
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
      query = { ...query, skipToken: null, received: 0, new: 0, duplicate: 0, rejected: 0 }
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
    query = { ...query, queryId: created.id, status: 'running', skipToken: null }
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
        'graph-limit',
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
  // Never a link from the ledger: the first page, or the saved skip token, on main's Graph base.
  // Links Graph hands back in this run are followed after the token destination policy.
  let url: string | null = client.recordsUrl(queryId, o.pageSize, query.skipToken ?? undefined)
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
      skipToken: url ? skipTokenOf(url) : null,
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
