/**
 * The sync engine's options and the shared state of one run, handed to every part of a sync
 * (Management windows, blob downloads, Graph history).
 */
import { DEFAULT_SETTLE_MS } from '../../../shared/acquisition'
import type { Ledger, LedgerBlob, LedgerDelta, LedgerError } from '../../../shared/acquisition'
import type { NormalizedRecord } from '../../../shared/audit'
import type { GraphVersion } from '../audit-api/graph-audit-client'
import type { HttpsClient } from '../http/https-client'
import type { RecordBatchPool } from '../import/record-batch-pool'
import type { Logger } from '../logging/logger'
import type { EncodedRecords } from '../store/encoded-records'

import type { CommitCounts } from './commit-queue'
import type { Sleep } from './token-bucket'
import type { RecordSink, SyncProgress, SyncRequest, SyncResult, TokenProvider } from './types'
import { REACH_MS } from './windows'

/** Defaults of {@link SyncEngineOptions}. */
export const SYNC_DEFAULTS = {
  concurrency: 4,
  budgetPerMinute: 2000,
  maxAttempts: 5,
  graphQueryAttempts: 3,
  maxThrottleWaits: 30,
  settleMs: DEFAULT_SETTLE_MS,
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
  /**
   * Worker threads that normalize blob records (the import's path, record-batch.ts): the built
   * worker entry (`findImportWorker`) and how many (default: one per CPU core, at most 4).
   * Without a script, records are normalized in the calling thread.
   */
  normalizeWorkers?: { script: string | URL | null; size?: number }
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
  /**
   * Graph queries created per span when they end `failed` / `cancelled` or time out (default 3),
   * and the back-off between them (first wait, doubling up to the cap; default 1 min, 5 min).
   */
  graphRetry?: { attempts?: number; firstMs?: number; maxMs?: number }
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
  /** The engine's options (knobs read with {@link SYNC_DEFAULTS} as fallback). */
  options: SyncEngineOptions
  /**
   * Commits records and a ledger delta (group commit: merged with other parts into few batches)
   * and resolves with this part's new/duplicate counts once committed.
   */
  commit(
    records: NormalizedRecord[] | EncodedRecords,
    delta: LedgerDelta
  ): Promise<{ new: number; duplicates: number }>
  /**
   * Queues records and a ledger delta for the group commit and resolves as soon as there is room
   * for more (back-pressure), not when committed; `onCommitted` gets this part's counts.
   */
  enqueue(
    records: NormalizedRecord[] | EncodedRecords,
    delta: LedgerDelta,
    onCommitted?: (counts: CommitCounts) => void
  ): Promise<void>
  /** Waits until everything queued is committed; throws the first commit failure. */
  drain(): Promise<void>
  /** Adds a committed part's counts to its blob's ledger entry (sent with the next batch). */
  countBlob(blob: LedgerBlob, counts: CommitCounts): void
  /** The blob entry with the new/duplicate counts its committed parts have had so far. */
  withCounts(blob: LedgerBlob): LedgerBlob
  /** Notes a window this run downloaded into; its final totals are sent at the end of the run. */
  touchWindow(key: string, contentType: string): void
  /**
   * Normalizes and serializes blob records in batches (worker threads when configured), for a
   * sink that takes serialized records; null when the sink wants objects.
   */
  pool: RecordBatchPool | null
  emit(): void
  /** Server time (local clock corrected by a learned skew). */
  serverNow(): number
  /**
   * Adopts the skew seen in the last answer's `Date` header as the server clock; returns it, or
   * undefined when no answer carried a date yet.
   */
  adoptServerClock(): number | undefined
  noteError(error: LedgerError): void
  sleep: Sleep
  /** Sends one API request under the budget with retries by error code. */
  call<T>(what: string, fn: () => Promise<T>, maxAttempts?: number): Promise<T>
  log: Logger
}
