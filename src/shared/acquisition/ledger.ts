import { z } from 'zod'

/**
 * The completeness ledger: what an acquisition asked for, what came back, and what is missing
 * (reference/management-api.md §7 item 17, what-users-want.md §4 feature 1). Every window,
 * Management API blob and Graph audit query is one entry; a {@link LedgerDelta} upserts entries
 * and travels with the batch of records it describes, so the cache and its ledger never disagree.
 */

/** The format version of a serialized {@link Ledger}. */
export const LEDGER_VERSION = 1

const count = z.number().int().nonnegative()

/** The longest Graph `$skiptoken` a ledger keeps (a longer one is not kept: paging restarts). */
export const MAX_SKIP_TOKEN_LENGTH = 16_384
const isoTime = z.string().min(1)

/** The last error an entry met: an API code (`AF20051`, `HTTP_503`…) and a readable message. */
export const LedgerErrorSchema = z.object({ code: z.string(), message: z.string() })
/** See {@link LedgerErrorSchema}. */
export type LedgerError = z.infer<typeof LedgerErrorSchema>

/**
 * Which API a window was acquired from: the Management Activity API, the Graph audit query, or a
 * Log Analytics (Sentinel) workspace or an Azure Data Explorer table read with KQL. Graph, workspace
 * and adx windows select by event time and are covered by their succeeded queries. `file`: records imported from an audit file
 * (file-coverage.ts); such a window says which hours the file's records fall in, never that an
 * hour is complete.
 */
export const AcquisitionSourceSchema = z.enum(['management', 'graph', 'workspace', 'adx', 'file'])
/** See {@link AcquisitionSourceSchema}. */
export type AcquisitionSource = z.infer<typeof AcquisitionSourceSchema>

/**
 * A window's state.
 *
 * `pending`: planned, not listed yet · `listed`: listed and every blob handled, but listed too
 * soon after its end to rule out late content (settle delay) · `complete` · `partial`: some blobs
 * failed (retryable) · `gap`: content is gone for good (expired, or older than the API can reach) ·
 * `failed`: the window itself could not be listed or queried.
 */
export const WindowStatusSchema = z.enum([
  'pending',
  'listed',
  'complete',
  'partial',
  'gap',
  'failed'
])
/** See {@link WindowStatusSchema}. */
export type WindowStatus = z.infer<typeof WindowStatusSchema>

/**
 * One acquisition window: a Management API listing window (selected by `contentCreated`, at most
 * 24 h) or a Graph query window (selected by event time).
 */
export const LedgerWindowSchema = z.object({
  /** `source|tenant|contentType|day`: stable across runs (one window per UTC day). */
  key: z.string().min(1),
  tenantId: z.string(),
  source: AcquisitionSourceSchema,
  /** Management content type (`Audit.General`) or, for Graph, the filter label (`power-platform` / `all`). */
  contentType: z.string(),
  /** Half-open `[start, end)`, ISO 8601 UTC, as last listed or queried. */
  start: isoTime,
  end: isoTime,
  status: WindowStatusSchema,
  /** Blobs listed (Management) or records the query reported (Graph). */
  listed: count,
  /** Records received (including duplicates and rejected ones). */
  received: count,
  new: count,
  duplicate: count,
  rejected: count,
  /** Blobs that failed after every attempt (Management). */
  failedBlobs: count,
  /** Blobs that expired before they could be fetched (a recorded gap). */
  expiredBlobs: count,
  /** Listing or query attempts, all runs together. */
  attempts: count,
  /** How many times the window was listed successfully (re-poll history). */
  listCount: count,
  lastError: LedgerErrorSchema.nullable(),
  firstListedAt: isoTime.nullable(),
  lastListedAt: isoTime.nullable(),
  completedAt: isoTime.nullable(),
  updatedAt: isoTime,
  /**
   * Management windows: everything from `start` up to this time was listed at least the settle
   * delay after it ended, so no late content is expected there (per-hour completeness). Absent in
   * ledgers written before it existed; see `settledUntil()` in settle.ts.
   */
  settledUntil: isoTime.nullable().optional()
})
/** See {@link LedgerWindowSchema}. */
export type LedgerWindow = z.infer<typeof LedgerWindowSchema>

/** A blob's state: `expired` is a recorded gap, `failed` is retried by the next sync. */
export const BlobStatusSchema = z.enum(['pending', 'done', 'failed', 'expired'])
/** See {@link BlobStatusSchema}. */
export type BlobStatus = z.infer<typeof BlobStatusSchema>

/**
 * One Management API content blob. It holds no URL: a ledger comes back from the UI side or a
 * snapshot, so main rebuilds a blob's URL from its configured API base, the tenant and the content
 * id (a `contentUri` in older ledgers is dropped when parsed).
 */
export const LedgerBlobSchema = z.object({
  /** `tenant|contentId`. */
  key: z.string().min(1),
  tenantId: z.string(),
  contentType: z.string(),
  contentId: z.string().min(1),
  contentCreated: isoTime,
  contentExpiration: isoTime,
  /** The window that listed it last. */
  windowKey: z.string(),
  status: BlobStatusSchema,
  /**
   * Records of the blob already committed, in blob order (a large blob is committed in chunks;
   * a resumed run skips this many).
   */
  received: count,
  new: count,
  duplicate: count,
  rejected: count,
  attempts: count,
  lastError: LedgerErrorSchema.nullable(),
  listedAt: isoTime,
  finishedAt: isoTime.nullable()
})
/** See {@link LedgerBlobSchema}. */
export type LedgerBlob = z.infer<typeof LedgerBlobSchema>

/** A Graph query's state: `split` means it hit the record-count limit and was re-run as halves. */
export const QueryStatusSchema = z.enum(['pending', 'running', 'succeeded', 'failed', 'split'])
/** See {@link QueryStatusSchema}. */
export type QueryStatus = z.infer<typeof QueryStatusSchema>

/** One Graph audit log query (one event-time span of a Graph window). */
export const LedgerQuerySchema = z.object({
  /** `tenant|filter|start|end`. */
  key: z.string().min(1),
  tenantId: z.string(),
  windowKey: z.string(),
  /** The server's query id, once created. */
  queryId: z.string().nullable(),
  /**
   * The `$skiptoken` of the next records page while paging, committed with the records before
   * it, so a stopped run resumes the query there. Only the token is kept, never the
   * `@odata.nextLink` URL: main rebuilds the URL from its Graph base and the query id (an older
   * ledger's `nextLink` is dropped when parsed).
   */
  skipToken: z.string().max(MAX_SKIP_TOKEN_LENGTH).nullable().optional(),
  start: isoTime,
  end: isoTime,
  /** Graph `recordTypeFilters` sent (empty = all records). */
  recordTypes: z.array(z.string()),
  status: QueryStatusSchema,
  approximateCount: count.nullable(),
  isRecordCountLimitExceeded: z.boolean(),
  received: count,
  new: count,
  duplicate: count,
  rejected: count,
  attempts: count,
  lastError: LedgerErrorSchema.nullable(),
  createdAt: isoTime,
  finishedAt: isoTime.nullable()
})
/** See {@link LedgerQuerySchema}. */
export type LedgerQuery = z.infer<typeof LedgerQuerySchema>

/** The whole ledger, keyed by entry key. */
export const LedgerSchema = z.object({
  version: z.literal(LEDGER_VERSION),
  windows: z.record(z.string(), LedgerWindowSchema),
  blobs: z.record(z.string(), LedgerBlobSchema),
  queries: z.record(z.string(), LedgerQuerySchema)
})
/** See {@link LedgerSchema}. */
export type Ledger = z.infer<typeof LedgerSchema>

/** Entries to insert or replace (by key), committed with the batch of records they describe. */
export const LedgerDeltaSchema = z.object({
  windows: z.array(LedgerWindowSchema),
  blobs: z.array(LedgerBlobSchema),
  queries: z.array(LedgerQuerySchema)
})
/** See {@link LedgerDeltaSchema}. */
export type LedgerDelta = z.infer<typeof LedgerDeltaSchema>

/** A ledger with nothing in it. */
export function emptyLedger(): Ledger {
  return { version: LEDGER_VERSION, windows: {}, blobs: {}, queries: {} }
}

/** A delta with nothing in it. */
export function emptyDelta(): LedgerDelta {
  return { windows: [], blobs: [], queries: [] }
}

/** Whether a delta carries no entries. */
export function isEmptyDelta(delta: LedgerDelta): boolean {
  return delta.windows.length === 0 && delta.blobs.length === 0 && delta.queries.length === 0
}

/** Applies a delta in place (upsert by key) and returns the same ledger. */
export function applyDelta(ledger: Ledger, delta: LedgerDelta): Ledger {
  for (const w of delta.windows) {
    ledger.windows[w.key] = w
  }
  for (const b of delta.blobs) {
    ledger.blobs[b.key] = b
  }
  for (const q of delta.queries) {
    ledger.queries[q.key] = q
  }
  return ledger
}

const DAY_MS = 86_400_000

/** The UTC midnight at or before a time, as epoch ms. */
export function utcDayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS
}

/** The stable key of a window: one per (source, tenant, content type, UTC day). */
export function windowKey(
  source: AcquisitionSource,
  tenantId: string,
  contentType: string,
  dayStartMs: number
): string {
  return `${source}|${tenantId.toLowerCase()}|${contentType}|${new Date(dayStartMs).toISOString()}`
}

/** The key of a blob. */
export function blobKey(tenantId: string, contentId: string): string {
  return `${tenantId.toLowerCase()}|${contentId}`
}

/** The key of a Graph query span. */
export function queryKey(tenantId: string, filter: string, startMs: number, endMs: number): string {
  return `${tenantId.toLowerCase()}|${filter}|${new Date(startMs).toISOString()}|${new Date(endMs).toISOString()}`
}
