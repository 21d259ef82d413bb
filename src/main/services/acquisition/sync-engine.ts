/**
 * The sync engine: pulls audit content from the Management Activity API (last 7 days) and, on
 * request, older history from the Graph audit log query API, into a {@link RecordSink}, keeping
 * the completeness ledger (reference/management-api.md §7 "Client checklist").
 */
import {
  applyDelta,
  blobKey,
  emptyDelta,
  emptyLedger,
  windowKey
} from '../../../shared/acquisition'
import type {
  Ledger,
  LedgerBlob,
  LedgerDelta,
  LedgerError,
  LedgerWindow,
  WindowStatus
} from '../../../shared/acquisition'
import type { NormalizedRecord } from '../../../shared/audit'
import { AuditApiError, errorAction, explainApiError } from '../audit-api/api-error'
import { ManagementClient } from '../audit-api/management-client'
import type { ContentItem } from '../audit-api/management-client'
import type { GraphVersion } from '../audit-api/graph-audit-client'
import type { HttpsClient } from '../http/https-client'
import type { Logger } from '../logger'

import { readBlobStream } from './blob-records'
import { runGraphHistory } from './graph-history'
import { CommitQueue, type CommitCounts } from './commit-queue'
import { backoffMs, isTransient, newWindow, toLedgerError } from './retry'
import { TokenBucket, realSleep } from './token-bucket'
import type { Sleep } from './token-bucket'
import { AcquisitionError } from './types'
import type {
  RecordSink,
  SyncProgress,
  SyncRequest,
  SyncResult,
  ThrottleState,
  TokenProvider
} from './types'
import { earliestStart, planManagementWindows, REACH_MS } from './windows'
import type { PlannedWindow } from './windows'

/** Defaults of {@link SyncEngineOptions}. */
export const SYNC_DEFAULTS = {
  concurrency: 4,
  budgetPerMinute: 2000,
  maxAttempts: 5,
  maxThrottleWaits: 30,
  settleMs: 15 * 60_000,
  safetyMarginMs: 15 * 60_000,
  batchSize: 2000,
  relistMs: REACH_MS
} as const

/** The engine's ports and knobs. */
export interface SyncEngineOptions {
  http: HttpsClient
  /** Management API base (`CLOUDS.x.managementApiBase` or the emulator's). */
  managementApiBase: string
  /** Graph base (`CLOUDS.x.graphBase` or the emulator's); needed for `history`. */
  graphBase?: string
  graphVersion?: GraphVersion
  /** PublisherIdentifier sent on every call (the tenant GUID for an in-house tool). */
  publisherId: string
  token: TokenProvider
  sink: RecordSink
  log: Logger
  /** The local clock (default: real time). */
  now?: () => Date
  sleep?: Sleep
  /** Blob downloads in flight (default 4). */
  concurrency?: number
  /** Requests per minute for the tenant (default 2,000). */
  budgetPerMinute?: number
  /** Attempts per blob / listing before it is marked failed (default 5). */
  maxAttempts?: number
  /** Consecutive throttled answers tolerated per request before giving up on it (default 30). */
  maxThrottleWaits?: number
  /** A window is complete only when listed this long after its end (default 15 min). */
  settleMs?: number
  /** Distance kept from the 7-day edge (default 15 min). */
  safetyMarginMs?: number
  /** Server clock minus local clock, when known in advance (ms). */
  serverSkewMs?: number
  /** Most records per commit (default 2,000). */
  batchSize?: number
  /**
   * Batches handed to the sink before the first is answered (default 1). Two keep a remote sink
   * (the app window) busy while an answer travels back; the sink must commit them in order and
   * refuse the rest once one fails.
   */
  commitsInFlight?: number
  /** Windows ending within this long before now are listed again on every sync (default 7 d). */
  relistMs?: number
  /** Graph polling: first interval and cap (ms) and overall time-out per query. */
  graphPoll?: { firstMs?: number; maxMs?: number; timeoutMs?: number }
  /** Graph `$top` per records page (default 1,000). */
  graphPageSize?: number
  /** The smallest span a truncated Graph query is split into (default 1 min). */
  graphMinSplitMs?: number
}

/** Run-time options of one sync. */
export interface SyncRunOptions {
  signal?: AbortSignal
  onProgress?: (progress: SyncProgress) => void
}

/** Shared state of one run, handed to the Graph part too. */
export interface RunContext {
  request: SyncRequest
  ledger: Ledger
  signal: AbortSignal | undefined
  stats: SyncResult
  progress: SyncProgress
  /**
   * Commits records and a ledger delta (group commit: merged with other parts into few batches)
   * and resolves with this part's new/duplicate counts once committed.
   */
  commit(
    records: NormalizedRecord[],
    delta: LedgerDelta
  ): Promise<{ new: number; duplicates: number }>
  /**
   * Queues records and a ledger delta for the group commit and resolves as soon as there is room
   * for more (back-pressure), not when committed; `onCommitted` gets this part's counts.
   */
  enqueue(
    records: NormalizedRecord[],
    delta: LedgerDelta,
    onCommitted?: (counts: CommitCounts) => void
  ): Promise<void>
  /** Waits until everything queued is committed; throws the first commit failure. */
  drain(): Promise<void>
  /** Adds a committed part's counts to its blob's ledger entry (sent with the next batch). */
  countBlob(blob: LedgerBlob, counts: CommitCounts): void
  /** The blob entry with the new/duplicate counts its committed parts have had so far. */
  withCounts(blob: LedgerBlob): LedgerBlob
  emit(): void
  /** Server time (local clock corrected by a learned skew). */
  serverNow(): number
  noteError(error: LedgerError): void
  sleep: Sleep
  /** Sends one API request under the budget with retries by error code. */
  call<T>(what: string, fn: () => Promise<T>, maxAttempts?: number): Promise<T>
  log: Logger
}

/** Pulls audit content into a sink. One engine per tenant and sink; one run at a time. */
export class SyncEngine {
  private readonly now: () => Date
  private readonly sleep: Sleep
  private readonly bucket: TokenBucket
  private skewMs: number | undefined
  private lastServerSkew: number | undefined
  private throttledUntil = 0
  private throttle: ThrottleState = { isThrottled: false, events: 0, resumesAt: null }
  private isRunning = false
  /** Windows this run downloaded into (key → content type), for {@link finishWindows}. */
  private readonly touched = new Map<string, string>()

  constructor(private readonly options: SyncEngineOptions) {
    this.now = options.now ?? (() => new Date())
    this.sleep = options.sleep ?? realSleep
    this.skewMs = options.serverSkewMs
    this.bucket = new TokenBucket(
      options.budgetPerMinute ?? SYNC_DEFAULTS.budgetPerMinute,
      () => this.now().getTime(),
      this.sleep
    )
  }

  /** Runs one sync. Throws {@link AcquisitionError} for run-stopping problems (work done stays committed). */
  async run(request: SyncRequest, runOptions: SyncRunOptions = {}): Promise<SyncResult> {
    if (this.isRunning) {
      throw new AcquisitionError('invalid-request', 'A sync is already running on this engine.')
    }
    if (!(request.since.getTime() < request.until.getTime())) {
      throw new AcquisitionError('invalid-request', '--since must be earlier than --until.')
    }
    this.isRunning = true
    try {
      return await this.runOnce(request, runOptions)
    } finally {
      this.isRunning = false
    }
  }

  private async runOnce(request: SyncRequest, runOptions: SyncRunOptions): Promise<SyncResult> {
    const { signal, onProgress } = runOptions
    const o = this.options
    this.touched.clear()
    const ledger = (await o.sink.loadLedger()) ?? emptyLedger()
    const stats: SyncResult = {
      records: 0,
      new: 0,
      duplicates: 0,
      rejected: 0,
      gaps: 0,
      windows: { complete: 0, partial: 0, failed: 0 },
      blobs: { listed: 0, done: 0, failed: 0, expired: 0, skipped: 0 },
      requests: 0,
      throttleEvents: 0,
      windowRuleErrors: 0,
      errors: []
    }
    const progress: SyncProgress = {
      phase: 'subscribing',
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
      throttle: this.throttle
    }
    // Blob counts learned from commit answers, sent with the next batch (see CommitQueue).
    const blobCounts = new Map<string, CommitCounts>()
    const unsent = new Set<string>()
    const sent = new Map<string, LedgerBlob>()
    const withCounts = (blob: LedgerBlob): LedgerBlob => {
      const counts = blobCounts.get(blob.key)
      return counts ? { ...blob, new: counts.new, duplicate: counts.duplicates } : blob
    }
    const batchSize = o.batchSize ?? SYNC_DEFAULTS.batchSize
    const queue = new CommitQueue({
      sink: (records, delta) => o.sink.commit({ records, ledger: delta }),
      ledger,
      batchSize,
      highWater: 2 * batchSize,
      maxInFlight: o.commitsInFlight ?? 1,
      prepare: (delta) => {
        const blobs = delta.blobs.map(withCounts)
        for (const key of unsent) {
          // The entry as last sent, not as in the ledger: that one may count records of parts
          // still queued, which must not be recorded as received before they are stored.
          const entry = sent.get(key)
          if (entry && !delta.blobs.some((b) => b.key === key)) {
            blobs.push(withCounts(entry))
          }
        }
        unsent.clear()
        for (const blob of blobs) {
          sent.set(blob.key, blob)
        }
        return { ...delta, blobs }
      },
      onBatch: (counts) => {
        stats.new += counts.new
        stats.duplicates += counts.duplicates
        progress.new = stats.new
        progress.duplicates = stats.duplicates
      }
    })
    const ctx: RunContext = {
      request,
      ledger,
      signal,
      stats,
      progress,
      log: o.log,
      sleep: this.sleep,
      commit: (records, delta) => queue.commit(records, delta),
      enqueue: (records, delta, onCommitted) => queue.add(records, delta, onCommitted),
      drain: () => queue.drain(),
      countBlob: (blob, counts) => {
        const known = blobCounts.get(blob.key) ?? { new: blob.new, duplicates: blob.duplicate }
        known.new += counts.new
        known.duplicates += counts.duplicates
        blobCounts.set(blob.key, known)
        const entry = ledger.blobs[blob.key]
        if (entry) {
          ledger.blobs[blob.key] = withCounts(entry)
        }
        unsent.add(blob.key)
      },
      withCounts,
      emit: () => {
        progress.requests = stats.requests
        progress.records = stats.records
        progress.rejected = stats.rejected
        progress.throttle = { ...this.throttle }
        onProgress?.({ ...progress, throttle: { ...this.throttle } })
      },
      serverNow: () => this.now().getTime() + (this.skewMs ?? 0),
      noteError: (error) => {
        if (!stats.errors.some((e) => e.code === error.code && e.message === error.message)) {
          stats.errors.push(error)
          if (stats.errors.length > 50) {
            stats.errors.shift()
          }
        }
      },
      call: (what, fn, maxAttempts) => this.call(ctx, what, fn, maxAttempts)
    }
    const client = new ManagementClient({
      http: o.http,
      apiBase: o.managementApiBase,
      tenantId: request.tenantId,
      publisherIdentifier: o.publisherId,
      token: (force) => o.token('management', force),
      onServerDate: (date) => {
        this.lastServerSkew = date.getTime() - this.now().getTime()
      }
    })
    const contentTypes = request.contentTypes ?? ['Audit.General']
    const margin = o.safetyMarginMs ?? SYNC_DEFAULTS.safetyMarginMs
    const plan = planManagementWindows({
      since: request.since.getTime(),
      until: request.until.getTime(),
      serverNow: ctx.serverNow(),
      marginMs: margin
    })
    progress.windowsPlanned = plan.windows.length * contentTypes.length

    if (plan.windows.length > 0) {
      for (const contentType of contentTypes) {
        await this.ensureSubscription(ctx, client, contentType)
      }
      for (const contentType of contentTypes) {
        await this.leftovers(ctx, client, contentType, plan.windows[0]?.start ?? Infinity)
        for (const planned of plan.windows) {
          this.checkAborted(signal)
          const outcome = await this.syncWindow(ctx, client, contentType, planned)
          this.countWindow(stats, outcome)
          progress.windowsDone++
          ctx.emit()
        }
      }
    }

    if (plan.unreachable) {
      if (request.history) {
        if (!o.graphBase) {
          throw new AcquisitionError('invalid-request', 'History needs the Graph base URL.')
        }
        await runGraphHistory(ctx, {
          http: o.http,
          graphBase: o.graphBase,
          version: o.graphVersion ?? 'auto',
          token: (force) => o.token('graph', force),
          start: plan.unreachable.start,
          end: plan.unreachable.end,
          pageSize: o.graphPageSize ?? 1000,
          minSplitMs: o.graphMinSplitMs ?? 60_000,
          poll: {
            firstMs: o.graphPoll?.firstMs ?? 2000,
            maxMs: o.graphPoll?.maxMs ?? 60_000,
            timeoutMs: o.graphPoll?.timeoutMs ?? 4 * 3_600_000
          },
          countWindow: (status) => this.countWindow(stats, status)
        })
      } else {
        await this.recordOutOfReach(ctx, contentTypes, plan.unreachable)
      }
    }
    await this.finishWindows(ctx)
    progress.phase = 'done'
    progress.window = null
    ctx.emit()
    return stats
  }

  /**
   * Waits for every commit to be answered, then sends the windows this run downloaded into once
   * more with their final new/duplicate totals (a window's blobs are committed in batches that
   * may be answered after the window itself was recorded).
   */
  private async finishWindows(ctx: RunContext): Promise<void> {
    await ctx.drain()
    const delta = emptyDelta()
    for (const [key, contentType] of this.touched) {
      const window = ctx.ledger.windows[key]
      if (window) {
        const final = this.withBlobTotals(ctx, window, contentType)
        if (final.new !== window.new || final.duplicate !== window.duplicate) {
          delta.windows.push(final)
        }
      }
    }
    this.touched.clear()
    if (delta.windows.length > 0) {
      await ctx.commit([], delta)
    }
  }

  private countWindow(stats: SyncResult, status: WindowStatus): void {
    if (status === 'complete' || status === 'listed') {
      stats.windows.complete++
    } else if (status === 'failed') {
      stats.windows.failed++
    } else {
      stats.windows.partial++
    }
  }

  /** Marks the part of the range older than 7 days as a gap (no `--history`). */
  private async recordOutOfReach(
    ctx: RunContext,
    contentTypes: string[],
    span: { start: number; end: number }
  ): Promise<void> {
    const delta = emptyDelta()
    const at = new Date(ctx.serverNow()).toISOString()
    for (const contentType of contentTypes) {
      for (let a = span.start; a < span.end;) {
        const day = Math.floor(a / 86_400_000) * 86_400_000
        const b = Math.min(span.end, day + 86_400_000)
        const key = windowKey('management', ctx.request.tenantId, contentType, day)
        const existing = ctx.ledger.windows[key]
        if (!existing || existing.status !== 'complete') {
          delta.windows.push({
            ...(existing ?? newWindow(key, ctx.request.tenantId, 'management', contentType, at)),
            start: new Date(Math.min(a, existing ? Date.parse(existing.start) : a)).toISOString(),
            end: new Date(Math.max(b, existing ? Date.parse(existing.end) : b)).toISOString(),
            status: 'gap',
            lastError: {
              code: 'out-of-reach',
              message:
                'Older than the 7 days the Management Activity API keeps; pull with --history (Graph) for it.'
            },
            updatedAt: at
          })
          ctx.stats.gaps++
        }
        a = b
      }
    }
    ctx.log.warn(
      `[acquire] ${new Date(span.start).toISOString()}–${new Date(span.end).toISOString()} is older than 7 days: recorded as a gap`
    )
    await ctx.commit([], delta)
  }

  /** Starts the subscription when missing; AF20024 is success (management-api.md §2.5). */
  private async ensureSubscription(
    ctx: RunContext,
    client: ManagementClient,
    contentType: string
  ): Promise<void> {
    ctx.progress.phase = 'subscribing'
    ctx.emit()
    const { subscriptions } = await ctx.call('list subscriptions', () =>
      client.listSubscriptions(ctx.signal)
    )
    const found = subscriptions.find(
      (s) => s.contentType.toLowerCase() === contentType.toLowerCase()
    )
    if (found?.status.toLowerCase() === 'enabled') {
      return
    }
    const outcome = await ctx.call(`start subscription ${contentType}`, () =>
      client.startSubscription(contentType, ctx.signal)
    )
    ctx.log.info(
      outcome === 'started'
        ? `[acquire] started the ${contentType} subscription: the first content can take up to 12 hours, and nothing from before it exists`
        : `[acquire] the ${contentType} subscription was already enabled (AF20024)`
    )
  }

  private async syncWindow(
    ctx: RunContext,
    client: ManagementClient,
    contentType: string,
    planned: PlannedWindow
  ): Promise<WindowStatus> {
    const o = this.options
    const tenantId = ctx.request.tenantId
    const key = windowKey('management', tenantId, contentType, planned.day)
    const at = (): string => new Date(ctx.serverNow()).toISOString()
    let window: LedgerWindow = {
      ...(ctx.ledger.windows[key] ?? newWindow(key, tenantId, 'management', contentType, at()))
    }
    const relist = o.relistMs ?? SYNC_DEFAULTS.relistMs
    const settle = o.settleMs ?? SYNC_DEFAULTS.settleMs
    const isFinal =
      window.status === 'complete' &&
      Date.parse(window.start) <= planned.start &&
      Date.parse(window.end) >= planned.end &&
      planned.end < ctx.serverNow() - relist
    if (isFinal) {
      return 'complete'
    }
    ctx.progress.phase = 'listing'
    ctx.progress.window = {
      source: 'management',
      contentType,
      start: new Date(planned.start).toISOString(),
      end: new Date(planned.end).toISOString()
    }
    ctx.emit()

    const listed = await this.listWindow(ctx, client, contentType, planned, window)
    if (!listed.ok) {
      window = {
        ...window,
        status: listed.status,
        attempts: window.attempts + listed.attempts,
        lastError: listed.error,
        updatedAt: at()
      }
      await ctx.enqueue([], { ...emptyDelta(), windows: [window] })
      if (listed.status === 'gap') {
        ctx.stats.gaps++
      }
      return listed.status
    }
    const listedAt = at()
    const start = Math.min(
      listed.start,
      window.listCount > 0 ? Date.parse(window.start) : listed.start
    )
    window = {
      ...window,
      start: new Date(start).toISOString(),
      end: new Date(
        Math.max(planned.end, window.listCount > 0 ? Date.parse(window.end) : 0)
      ).toISOString(),
      attempts: window.attempts + listed.attempts,
      listCount: window.listCount + 1,
      firstListedAt: window.firstListedAt ?? listedAt,
      lastListedAt: listedAt,
      // A window is complete once listed a settle delay after its end (late blobs).
      status: 'pending',
      updatedAt: listedAt
    }
    // Record newly listed blobs as pending, expired ones as gaps (checklist item 8).
    const delta = emptyDelta()
    const todo: LedgerBlob[] = []
    for (const item of listed.items) {
      const bkey = blobKey(tenantId, item.contentId)
      const existing = ctx.ledger.blobs[bkey]
      ctx.stats.blobs.listed++
      ctx.progress.blobsListed++
      if (existing && (existing.status === 'done' || existing.status === 'expired')) {
        ctx.stats.blobs.skipped++
        ctx.progress.blobsSkipped++
        continue
      }
      const blob: LedgerBlob = existing
        ? { ...existing, windowKey: key, contentUri: item.contentUri, status: 'pending' }
        : newBlob(bkey, tenantId, contentType, item, key, listedAt)
      if (Date.parse(blob.contentExpiration) <= ctx.serverNow()) {
        delta.blobs.push(this.expire(ctx, blob, 'contentExpiration has passed', at()))
        continue
      }
      if (!existing || existing.status !== 'pending') {
        delta.blobs.push(blob)
      }
      todo.push(blob)
    }
    applyDelta(ctx.ledger, delta)
    window = this.withBlobTotals(ctx, window, contentType)
    await ctx.enqueue([], { ...delta, windows: [window] })

    ctx.progress.phase = 'downloading'
    ctx.emit()
    await this.downloadAll(
      ctx,
      client,
      todo,
      () => window,
      (w) => (window = w),
      contentType
    )
    // The status is known now (blob statuses are); the new/duplicate totals are final once the
    // commits are answered, and are sent again at the end of the run (finishWindows).
    this.touched.set(key, contentType)

    window = this.withBlobTotals(ctx, window, contentType)
    const status: WindowStatus =
      window.failedBlobs > 0
        ? 'partial'
        : window.expiredBlobs > 0
          ? 'gap'
          : Date.parse(listedAt) >= Date.parse(window.end) + settle
            ? 'complete'
            : 'listed'
    window = {
      ...window,
      status,
      completedAt: status === 'complete' ? (window.completedAt ?? at()) : window.completedAt,
      updatedAt: at()
    }
    await ctx.enqueue([], { ...emptyDelta(), windows: [window] })
    return status
  }

  /**
   * Blobs an earlier run listed but did not finish, older than anything this run lists again
   * (the 7-day edge moved): fetched now, or recorded as gaps once expired.
   */
  private async leftovers(
    ctx: RunContext,
    client: ManagementClient,
    contentType: string,
    before: number
  ): Promise<void> {
    const tenant = ctx.request.tenantId.toLowerCase()
    const todo = Object.values(ctx.ledger.blobs).filter(
      (b) =>
        b.tenantId.toLowerCase() === tenant &&
        b.contentType.toLowerCase() === contentType.toLowerCase() &&
        (b.status === 'pending' || b.status === 'failed') &&
        Date.parse(b.contentCreated) < before
    )
    if (todo.length === 0) {
      return
    }
    ctx.log.info(`[acquire] ${todo.length} unfinished blob(s) from an earlier run`)
    const touched = new Set<string>()
    const windowAfter = (b: LedgerBlob): LedgerWindow => {
      touched.add(b.windowKey)
      const w =
        ctx.ledger.windows[b.windowKey] ??
        newWindow(b.windowKey, ctx.request.tenantId, 'management', contentType, b.listedAt)
      return this.withBlobTotals(ctx, w, contentType)
    }
    const n = Math.max(
      1,
      Math.min(this.options.concurrency ?? SYNC_DEFAULTS.concurrency, todo.length)
    )
    let next = 0
    const worker = async (): Promise<void> => {
      for (let blob = todo[next++]; blob; blob = todo[next++]) {
        this.checkAborted(ctx.signal)
        await this.downloadBlob(ctx, client, { ...blob, status: 'pending' }, windowAfter)
      }
    }
    await Promise.all(Array.from({ length: n }, () => worker()))
    await ctx.drain()
    const delta = emptyDelta()
    for (const key of touched) {
      const w = ctx.ledger.windows[key]
      if (w) {
        const t = this.withBlobTotals(ctx, w, contentType)
        delta.windows.push({
          ...t,
          status: t.failedBlobs > 0 ? 'partial' : t.expiredBlobs > 0 ? 'gap' : t.status,
          updatedAt: new Date(ctx.serverNow()).toISOString()
        })
      }
    }
    await ctx.enqueue([], delta)
  }

  private expire(ctx: RunContext, blob: LedgerBlob, why: string, at: string): LedgerBlob {
    ctx.stats.blobs.expired++
    ctx.stats.gaps++
    ctx.progress.blobsExpired++
    ctx.log.warn(`[acquire] blob ${blob.contentId} skipped: AF20051 (${why}); recorded as a gap`)
    return {
      ...blob,
      status: 'expired',
      lastError: { code: 'AF20051', message: `Content expired before download: ${why}.` },
      finishedAt: at
    }
  }

  /** Lists every page of a window; re-plans once with the server's clock on AF20030/AF20055. */
  private async listWindow(
    ctx: RunContext,
    client: ManagementClient,
    contentType: string,
    planned: PlannedWindow,
    window: LedgerWindow
  ): Promise<
    | { ok: true; items: ContentItem[]; attempts: number; start: number }
    | { ok: false; status: WindowStatus; error: LedgerError; attempts: number }
  > {
    const margin = this.options.safetyMarginMs ?? SYNC_DEFAULTS.safetyMarginMs
    let attempts = 0
    let isReplanned = false
    let isRestarted = false
    for (;;) {
      // Clamp again now: the 7-day edge moves while a long run goes on.
      const start = Math.max(planned.start, earliestStart(ctx.serverNow(), margin))
      if (start >= planned.end) {
        return {
          ok: false,
          status: 'gap',
          attempts,
          error: {
            code: 'out-of-reach',
            message: 'The window passed the 7-day edge before it could be listed.'
          }
        }
      }
      const items: ContentItem[] = []
      const seen = new Set<string>()
      let page: string | null = client.contentUrl(
        contentType,
        new Date(start),
        new Date(planned.end)
      )
      try {
        while (page) {
          attempts++
          const url: string = page
          const result = await ctx.call(`list ${contentType} ${window.key}`, () =>
            client.listContentPage(url, ctx.signal)
          )
          for (const item of result.items) {
            if (!seen.has(item.contentId)) {
              seen.add(item.contentId)
              items.push(item)
            }
          }
          page = result.nextPageUri
        }
        return { ok: true, items, attempts, start }
      } catch (error) {
        if (
          error instanceof AuditApiError &&
          (error.code === 'AF20030' || error.code === 'AF20055')
        ) {
          ctx.stats.windowRuleErrors++
          ctx.noteError({ code: error.code, message: error.message })
          if (!isReplanned && this.lastServerSkew !== undefined) {
            // Checklist item 11: adopt the server's clock from its Date header and try again.
            isReplanned = true
            this.skewMs = this.lastServerSkew
            ctx.log.warn(
              `[acquire] ${error.code} listing ${window.key}: adopting the server clock (skew ${Math.round(this.skewMs / 1000)} s)`
            )
            continue
          }
          return {
            ok: false,
            status: 'failed',
            attempts,
            error: { code: error.code, message: error.message }
          }
        }
        if (error instanceof AuditApiError && error.code === 'AF20031' && !isRestarted) {
          isRestarted = true
          ctx.log.warn(
            `[acquire] AF20031 (invalid nextPage) listing ${window.key}: restarting the window`
          )
          continue
        }
        if (error instanceof AcquisitionError) {
          throw error
        }
        const info = toLedgerError(error)
        ctx.noteError(info)
        ctx.log.error(`[acquire] listing ${window.key} failed: ${info.code} ${info.message}`)
        return { ok: false, status: 'failed', attempts, error: info }
      }
    }
  }

  private withBlobTotals(ctx: RunContext, window: LedgerWindow, contentType: string): LedgerWindow {
    const start = Date.parse(window.start)
    const end = Date.parse(window.end)
    const tenant = window.tenantId.toLowerCase()
    const t = { listed: 0, received: 0, new: 0, duplicate: 0, rejected: 0, failed: 0, expired: 0 }
    for (const b of Object.values(ctx.ledger.blobs)) {
      const created = Date.parse(b.contentCreated)
      if (
        b.tenantId.toLowerCase() !== tenant ||
        b.contentType.toLowerCase() !== contentType.toLowerCase() ||
        created < start ||
        created >= end
      ) {
        continue
      }
      t.listed++
      t.received += b.received
      t.new += b.new
      t.duplicate += b.duplicate
      t.rejected += b.rejected
      t.failed += b.status === 'failed' ? 1 : 0
      t.expired += b.status === 'expired' ? 1 : 0
    }
    return {
      ...window,
      listed: t.listed,
      received: t.received,
      new: t.new,
      duplicate: t.duplicate,
      rejected: t.rejected,
      failedBlobs: t.failed,
      expiredBlobs: t.expired
    }
  }

  /** Downloads blobs with bounded concurrency; each worker awaits its commits (back-pressure). */
  private async downloadAll(
    ctx: RunContext,
    client: ManagementClient,
    todo: LedgerBlob[],
    getWindow: () => LedgerWindow,
    setWindow: (w: LedgerWindow) => void,
    contentType: string
  ): Promise<void> {
    let next = 0
    const worker = async (): Promise<void> => {
      for (;;) {
        this.checkAborted(ctx.signal)
        const blob = todo[next++]
        if (!blob) {
          return
        }
        await this.downloadBlob(ctx, client, blob, (b) => {
          const w = this.withBlobTotals(ctx, { ...getWindow(), updatedAt: b.listedAt }, contentType)
          setWindow(w)
          return w
        })
      }
    }
    const n = Math.max(
      1,
      Math.min(this.options.concurrency ?? SYNC_DEFAULTS.concurrency, todo.length)
    )
    const results = await Promise.allSettled(Array.from({ length: n }, () => worker()))
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failure) {
      throw failure.reason
    }
  }

  private async downloadBlob(
    ctx: RunContext,
    client: ManagementClient,
    initial: LedgerBlob,
    windowAfter: (blob: LedgerBlob) => LedgerWindow
  ): Promise<void> {
    const o = this.options
    const maxAttempts = o.maxAttempts ?? SYNC_DEFAULTS.maxAttempts
    const batchSize = o.batchSize ?? SYNC_DEFAULTS.batchSize
    const at = (): string => new Date(ctx.serverNow()).toISOString()
    let blob: LedgerBlob = { ...initial }
    // Queues a part of the blob with its ledger entry; the part's new/duplicate split reaches the
    // ledger when its batch is answered (and goes out with the next batch).
    const commitBlob = async (
      records: NormalizedRecord[],
      rejected: number,
      count: number
    ): Promise<void> => {
      blob = { ...blob, received: blob.received + count, rejected: blob.rejected + rejected }
      const entry = ctx.withCounts(blob)
      applyDelta(ctx.ledger, { ...emptyDelta(), blobs: [entry] })
      await ctx.enqueue(
        records,
        { ...emptyDelta(), blobs: [entry], windows: [windowAfter(entry)] },
        (counts) => ctx.countBlob(initial, counts)
      )
      ctx.stats.records += records.length
      ctx.stats.rejected += rejected
      ctx.emit()
    }
    const settle = async (final: LedgerBlob): Promise<void> => {
      const entry = ctx.withCounts(final)
      applyDelta(ctx.ledger, { ...emptyDelta(), blobs: [entry] })
      await ctx.enqueue([], { ...emptyDelta(), blobs: [entry], windows: [windowAfter(entry)] })
    }
    for (let attempt = 1; ; attempt++) {
      this.checkAborted(ctx.signal)
      if (Date.parse(blob.contentExpiration) <= ctx.serverNow()) {
        blob = this.expire(ctx, blob, 'contentExpiration passed while waiting', at())
        await settle(blob)
        return
      }
      blob = { ...blob, attempts: blob.attempts + 1 }
      try {
        // Retries inside call() cover throttling only; other failures come back here.
        const body = await ctx.call(
          `blob ${blob.contentId}`,
          () => client.getBlobStream(blob.contentUri, ctx.signal),
          1
        )
        let batch: NormalizedRecord[] = []
        let rejected = 0
        let count = 0
        try {
          // Read as it arrives (a large blob is never held whole). Full batches are committed
          // before the body is known to be complete: if it then breaks off or turns out
          // malformed, the retry skips the `received` records already committed, so every
          // record is still stored once (checklist item 7: retry the blob, not the window).
          for await (const item of readBlobStream(body, blob.contentId, blob.received)) {
            count++
            if (item.kind === 'record') {
              batch.push(item.record)
            } else {
              rejected++
              ctx.log.warn(
                `[acquire] record ${item.index + 1} of blob ${blob.contentId} rejected: ${item.code}: ${item.reason}`
              )
            }
            if (count >= batchSize) {
              await commitBlob(batch, rejected, count)
              batch = []
              rejected = 0
              count = 0
            }
          }
        } finally {
          body.destroy()
        }
        blob = { ...blob, status: 'done', lastError: null, finishedAt: at() }
        await commitBlob(batch, rejected, count)
        ctx.stats.blobs.done++
        ctx.progress.blobsDone++
        ctx.emit()
        return
      } catch (error) {
        if (error instanceof AcquisitionError) {
          throw error
        }
        const info = toLedgerError(error)
        blob = { ...blob, lastError: info }
        if (error instanceof AuditApiError) {
          const action = errorAction(error)
          if (action === 'expired') {
            blob = this.expire(ctx, blob, 'the API answered AF20051', at())
            await settle(blob)
            return
          }
          if (action === 'config') {
            throw this.configError(error)
          }
        }
        const isRetryable = isTransient(error)
        if (!isRetryable || attempt >= maxAttempts) {
          blob = { ...blob, status: 'failed', finishedAt: at() }
          ctx.stats.blobs.failed++
          ctx.progress.blobsFailed++
          ctx.noteError(info)
          ctx.log.error(
            `[acquire] blob ${blob.contentId} failed after ${attempt} attempt(s): ${info.code} ${info.message}`
          )
          await settle(blob)
          return
        }
        const wait = backoffMs(attempt)
        ctx.log.warn(
          `[acquire] blob ${blob.contentId} attempt ${attempt} failed (${info.code}); retrying in ${Math.round(wait / 100) / 10} s`
        )
        await this.sleep(wait, ctx.signal)
      }
    }
  }

  private configError(error: AuditApiError): AcquisitionError {
    return new AcquisitionError(
      error.code === 'AF20023' || error.code === 'AF20022' ? 'subscription' : 'config',
      explainApiError(error),
      error.code
    )
  }

  /**
   * One request under the budget: waits for a token, honours a throttle pause, retries throttled
   * answers (Retry-After when given, else exponential back-off), and with `maxAttempts` > 1 also
   * transient failures. Configuration errors stop the run.
   */
  private async call<T>(
    ctx: RunContext,
    what: string,
    fn: () => Promise<T>,
    maxAttempts = this.options.maxAttempts ?? SYNC_DEFAULTS.maxAttempts
  ): Promise<T> {
    const maxThrottle = this.options.maxThrottleWaits ?? SYNC_DEFAULTS.maxThrottleWaits
    let throttled = 0
    for (let attempt = 1; ;) {
      this.checkAborted(ctx.signal)
      const pause = this.throttledUntil - this.now().getTime()
      if (pause > 0) {
        await this.sleep(pause, ctx.signal)
      }
      await this.bucket.take(ctx.signal)
      ctx.stats.requests++
      try {
        const result = await fn()
        if (this.throttle.isThrottled && this.throttledUntil <= this.now().getTime()) {
          this.throttle = { ...this.throttle, isThrottled: false, resumesAt: null }
        }
        return result
      } catch (error) {
        if (ctx.signal?.aborted) {
          throw new AcquisitionError('cancelled', 'The pull was cancelled.')
        }
        if (error instanceof AuditApiError && errorAction(error) === 'throttled') {
          throttled++
          ctx.stats.throttleEvents++
          if (throttled > maxThrottle) {
            throw error
          }
          const wait =
            error.retryAfterSeconds !== undefined
              ? error.retryAfterSeconds * 1000
              : Math.min(120_000, 2000 * 2 ** Math.min(throttled - 1, 6)) *
                (0.75 + Math.random() / 2)
          this.throttledUntil = Math.max(this.throttledUntil, this.now().getTime() + wait)
          this.throttle = {
            isThrottled: true,
            events: this.throttle.events + 1,
            resumesAt: new Date(this.throttledUntil).toISOString()
          }
          ctx.log.warn(
            `[acquire] throttled (${error.code}) on ${what}; waiting ${Math.round(wait / 1000)} s`
          )
          ctx.emit()
          continue
        }
        if (error instanceof AuditApiError && errorAction(error) === 'config') {
          throw this.configError(error)
        }
        if (attempt >= maxAttempts || !isTransient(error)) {
          throw error
        }
        const wait = backoffMs(attempt)
        ctx.log.warn(
          `[acquire] ${what} failed (${toLedgerError(error).code}); retry ${attempt} in ${Math.round(wait / 100) / 10} s`
        )
        await this.sleep(wait, ctx.signal)
        attempt++
      }
    }
  }

  private checkAborted(signal: AbortSignal | undefined): void {
    if (signal?.aborted) {
      throw new AcquisitionError('cancelled', 'The pull was cancelled.')
    }
  }
}

function newBlob(
  key: string,
  tenantId: string,
  contentType: string,
  item: ContentItem,
  windowKeyValue: string,
  at: string
): LedgerBlob {
  return {
    key,
    tenantId,
    contentType,
    contentId: item.contentId,
    contentUri: item.contentUri,
    contentCreated: item.contentCreated,
    contentExpiration: item.contentExpiration,
    windowKey: windowKeyValue,
    status: 'pending',
    received: 0,
    new: 0,
    duplicate: 0,
    rejected: 0,
    attempts: 0,
    lastError: null,
    listedAt: at,
    finishedAt: null
  }
}
