/**
 * The acquisition engine's ports and results: the sink it writes to, the request it runs, the
 * progress it reports.
 */
import type {
  AcquisitionSource,
  Ledger,
  LedgerDelta,
  LedgerError,
  WindowStatus
} from '../../../shared/acquisition'
import type { NormalizedRecord } from '../../../shared/audit'
import type { EncodedRecords } from '../store/encoded-records'

/**
 * Where acquired records go. The engine awaits each commit before producing more (back-pressure);
 * a commit stores the records and applies the ledger delta as one durable step.
 */
export interface RecordSink {
  /** Stores a batch; records are keyed by Id, a repeat counts as a duplicate. */
  commit(batch: { records: NormalizedRecord[]; ledger: LedgerDelta }): Promise<{
    new: number
    duplicates: number
  }>
  /**
   * Stores a batch already serialized (normalize workers made each record's JSON); optional:
   * the engine hands a sink without it the records as objects.
   */
  commitEncoded?(batch: { records: EncodedRecords; ledger: LedgerDelta }): Promise<{
    new: number
    duplicates: number
  }>
  /** The ledger as committed so far (the engine plans from it). */
  loadLedger(): Promise<Ledger>
}

/** Returns an access token for an API; `forceRefresh` after the API refused the last one. */
export type TokenProvider = (
  resource: 'management' | 'graph',
  forceRefresh?: boolean
) => Promise<string>

/** What to acquire. */
export interface SyncRequest {
  tenantId: string
  /** Management content types (default `['Audit.General']`). */
  contentTypes?: string[]
  /** Start of the range (inclusive). */
  since: Date
  /** End of the range (exclusive); clamped to now. */
  until: Date
  /** Use the Graph audit query for the part older than the Management API reaches. */
  history?: boolean
  /** Graph: every record type instead of the Power Platform ones. */
  allRecords?: boolean
}

/** The throttling state shown to the user. */
export interface ThrottleState {
  isThrottled: boolean
  /** AF429 / 429 answers seen in this run. */
  events: number
  /** When requests resume, while waiting. */
  resumesAt: string | null
}

/** A progress report (sent after every commit and phase change). */
export interface SyncProgress {
  phase: 'subscribing' | 'listing' | 'downloading' | 'querying' | 'done'
  window: {
    source: 'management' | 'graph' | 'workspace' | 'adx'
    contentType: string
    start: string
    end: string
  } | null
  windowsPlanned: number
  windowsDone: number
  blobsListed: number
  blobsDone: number
  blobsFailed: number
  blobsExpired: number
  /** Blobs finished by an earlier run and not fetched again. */
  blobsSkipped: number
  records: number
  new: number
  duplicates: number
  rejected: number
  requests: number
  throttle: ThrottleState
}

/** What a run did. */
export interface SyncResult {
  records: number
  new: number
  duplicates: number
  rejected: number
  /** Expired blobs plus windows out of reach: content that cannot be had any more. */
  gaps: number
  windows: { complete: number; partial: number; failed: number }
  blobs: { listed: number; done: number; failed: number; expired: number; skipped: number }
  requests: number
  throttleEvents: number
  /** AF20030 / AF20055 answers (the 24-hour and 7-day rules); should always be 0. */
  windowRuleErrors: number
  /** Distinct errors met, newest last (at most 50). */
  errors: LedgerError[]
  /** Windows of the requested range left partial or failed, oldest first (with the reason). */
  failedWindows: FailedWindow[]
}

/** A window a run left partial or failed. */
export interface FailedWindow {
  source: AcquisitionSource
  contentType: string
  /** ISO 8601 UTC, half-open `[start, end)`. */
  start: string
  end: string
  status: WindowStatus
  /** The server's or the client's reason. */
  error: LedgerError | null
}

/** Error codes of {@link AcquisitionError}. */
export type AcquisitionErrorCode =
  | 'cancelled'
  | 'config'
  | 'subscription'
  | 'graph-query-failed'
  | 'graph-timeout'
  | 'graph-limit'
  | 'invalid-request'

/** A run-stopping error with a specific, readable message. */
export class AcquisitionError extends Error {
  constructor(
    readonly code: AcquisitionErrorCode,
    message: string,
    /** The API code behind it, when there is one (`AF20023`). */
    readonly apiCode?: string
  ) {
    super(message)
    this.name = 'AcquisitionError'
  }
}
