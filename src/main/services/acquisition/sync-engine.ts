/**
 * The sync engine: pulls audit content from the Management Activity API (last 7 days) and, on
 * request, older history from the Graph audit log query API, into a {@link RecordSink}, keeping
 * the completeness ledger (reference/management-api.md §7 "Client checklist"). The parts of a run
 * live next to it: management-sync.ts (windows), blob-download.ts (blobs), graph-history.ts
 * (Graph), api-caller.ts (budget and retries).
 */
import { availableParallelism } from 'node:os'

import { emptyLedger } from '../../../shared/acquisition'
import type { LedgerBlob, WindowStatus } from '../../../shared/acquisition'
import { ManagementClient } from '../audit-api/management-client'
import { RecordBatchPool } from '../import/record-batch-pool'

/**
 * The normalize workers' young generation during a sync: smaller than the file import's 64 MB,
 * because a sync also holds downloaded blobs and its peak memory has a bound (issue 13: ≤ 400 MB
 * for the `huge` pull); its pace is set by the request budget, not by the workers' CPU.
 */
const SYNC_WORKER_YOUNG_GENERATION_MB = 32
import { decodeRecords } from '../store/encoded-records'

import { ApiCaller, checkAborted } from './api-caller'
import { leftovers } from './blob-download'
import { CommitQueue, type CommitCounts } from './commit-queue'
import { runGraphHistory } from './graph-history'
import { ensureSubscription, finishWindows, recordOutOfReach, syncWindow } from './management-sync'
import { SYNC_DEFAULTS } from './run-context'
import { failedWindows, recordPlan } from './run-plan'
import type { RunContext, SyncEngineOptions, SyncRunOptions } from './run-context'
import { realSleep } from './token-bucket'
import type { Sleep } from './token-bucket'
import { AcquisitionError } from './types'
import type { SyncProgress, SyncRequest, SyncResult } from './types'
import { planManagementWindows } from './windows'

export { SYNC_DEFAULTS } from './run-context'
export type { RunContext, SyncEngineOptions, SyncRunOptions } from './run-context'

/** Pulls audit content into a sink. One engine per tenant and sink; one run at a time. */
export class SyncEngine {
  private readonly now: () => Date
  private readonly sleep: Sleep
  private readonly caller: ApiCaller
  private skewMs: number | undefined
  private lastServerSkew: number | undefined
  private isRunning = false

  constructor(private readonly options: SyncEngineOptions) {
    this.now = options.now ?? (() => new Date())
    this.sleep = options.sleep ?? realSleep
    this.skewMs = options.serverSkewMs
    this.caller = new ApiCaller({
      budgetPerMinute: options.budgetPerMinute ?? SYNC_DEFAULTS.budgetPerMinute,
      maxAttempts: options.maxAttempts ?? SYNC_DEFAULTS.maxAttempts,
      maxThrottleWaits: options.maxThrottleWaits ?? SYNC_DEFAULTS.maxThrottleWaits,
      now: () => this.now(),
      sleep: this.sleep
    })
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
    // A sink that takes serialized records gets them from the normalize pool; one that wants
    // objects gets records normalized in this thread (decoding them again would cost as much).
    const workers = this.options.normalizeWorkers
    const script = workers?.script ?? null
    const pool = this.options.sink.commitEncoded
      ? new RecordBatchPool(
          script === null ? 0 : (workers?.size ?? Math.max(1, Math.min(4, availableParallelism()))),
          script,
          SYNC_WORKER_YOUNG_GENERATION_MB
        )
      : null
    try {
      return await this.runOnce(request, runOptions, pool)
    } finally {
      this.isRunning = false
      await pool?.close()
    }
  }

  private async runOnce(
    request: SyncRequest,
    runOptions: SyncRunOptions,
    pool: RecordBatchPool | null
  ): Promise<SyncResult> {
    const { signal, onProgress } = runOptions
    const o = this.options
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
      errors: [],
      failedWindows: []
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
      throttle: this.caller.throttle
    }
    // Blob counts learned from commit answers, sent with the next batch (see CommitQueue).
    const blobCounts = new Map<string, CommitCounts>()
    const unsent = new Set<string>()
    const sent = new Map<string, LedgerBlob>()
    const touched = new Map<string, string>()
    const withCounts = (blob: LedgerBlob): LedgerBlob => {
      const counts = blobCounts.get(blob.key)
      return counts ? { ...blob, new: counts.new, duplicate: counts.duplicates } : blob
    }
    const batchSize = o.batchSize ?? SYNC_DEFAULTS.batchSize
    const queue = new CommitQueue({
      sink: (records, delta) =>
        Array.isArray(records)
          ? o.sink.commit({ records, ledger: delta })
          : o.sink.commitEncoded
            ? o.sink.commitEncoded({ records, ledger: delta })
            : o.sink.commit({ records: decodeRecords(records), ledger: delta }),
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
      options: o,
      pool,
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
      touchWindow: (key, contentType) => touched.set(key, contentType),
      emit: () => {
        progress.requests = stats.requests
        progress.records = stats.records
        progress.rejected = stats.rejected
        progress.throttle = { ...this.caller.throttle }
        onProgress?.({ ...progress, throttle: { ...this.caller.throttle } })
      },
      serverNow: () => this.now().getTime() + (this.skewMs ?? 0),
      adoptServerClock: () => {
        if (this.lastServerSkew !== undefined) {
          this.skewMs = this.lastServerSkew
        }
        return this.lastServerSkew
      },
      noteError: (error) => {
        if (!stats.errors.some((e) => e.code === error.code && e.message === error.message)) {
          stats.errors.push(error)
          if (stats.errors.length > 50) {
            stats.errors.shift()
          }
        }
      },
      call: (what, fn, maxAttempts) => this.caller.call(ctx, what, fn, maxAttempts)
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
    await recordPlan(ctx, contentTypes, plan)

    if (plan.windows.length > 0) {
      for (const contentType of contentTypes) {
        await ensureSubscription(ctx, client, contentType)
      }
      for (const contentType of contentTypes) {
        await leftovers(ctx, client, contentType, plan.windows[0]?.start ?? Infinity)
        for (const planned of plan.windows) {
          checkAborted(signal)
          const outcome = await syncWindow(ctx, client, contentType, planned)
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
          retry: {
            attempts: o.graphRetry?.attempts ?? SYNC_DEFAULTS.graphQueryAttempts,
            firstMs: o.graphRetry?.firstMs ?? 60_000,
            maxMs: o.graphRetry?.maxMs ?? 300_000
          },
          countWindow: (status) => this.countWindow(stats, status)
        })
      } else {
        await recordOutOfReach(ctx, contentTypes, plan.unreachable)
      }
    }
    await finishWindows(ctx, touched)
    progress.phase = 'done'
    progress.window = null
    ctx.emit()
    stats.failedWindows = failedWindows(ledger, request)
    return stats
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
}
