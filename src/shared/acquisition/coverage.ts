import type { AcquisitionSource, Ledger, LedgerError, LedgerQuery, LedgerWindow } from './ledger'
import {
  DEFAULT_SAFETY_MARGIN_MS,
  DEFAULT_SETTLE_MS,
  MANAGEMENT_REACH_MS,
  settledUntil
} from './settle'

/**
 * Coverage of a time range by the ledger, hour by hour: the "did I get everything?" answer
 * (what-users-want.md §3 complaint 1). Pure; runs anywhere.
 */

/**
 * How well one hour is covered. `imported`: records of the hour came from an imported audit file
 * (a `file` window) but no API acquisition made it complete: the file holds what it holds, and
 * nobody checked it against the API.
 */
export type HourStatus = 'complete' | 'partial' | 'gap' | 'pending' | 'imported'

/** Every hour status, in the order a legend shows them. */
export const HOUR_STATUSES: readonly HourStatus[] = [
  'complete',
  'imported',
  'partial',
  'gap',
  'pending'
]

/** One hour of a coverage answer. */
export interface HourCoverage {
  /** Start of the hour, ISO 8601 UTC. */
  hour: string
  status: HourStatus
  /** Why, and for a pending hour when it settles or what fills it (`2 blobs expired`…). */
  reason: string
}

/** What to compute coverage for. */
export interface CoverageRange {
  start: Date
  end: Date
  /** Only this tenant's entries (default: all). */
  tenantId?: string
  /** Only this Management content type (Graph windows always count). Default: all. */
  contentType?: string
  /** Only this source (default: both). */
  source?: AcquisitionSource
  /** The settle delay the sync used (default 15 minutes). */
  settleMs?: number
  /** A sync is running now: windows it has not reached yet are "not tried yet", not stopped. */
  isSyncing?: boolean
}

const HOUR_MS = 3_600_000

interface Span {
  start: number
  end: number
}

interface WindowSpan extends Span {
  window: LedgerWindow
}

interface QuerySpan extends Span {
  query: LedgerQuery
}

interface BlobTally {
  pending: number
  failed: number
  expired: number
  lastError: LedgerError | null
}

interface Context {
  windows: WindowSpan[]
  /** Hours known complete: settled Management spans, complete Graph windows, succeeded queries. */
  settled: Span[]
  graphDone: Span[]
  failedQueries: QuerySpan[]
  /** Windows (by key) with at least one Graph query started. */
  queried: Set<string>
  settleMs: number
  isSyncing: boolean
  now: number
  /** The range asked for: the first and last hour only need their part inside it covered. */
  start: number
  end: number
}

/**
 * Per-hour coverage of `[range.start, range.end)` (hours aligned to UTC).
 *
 * Management windows select blobs by `contentCreated`, Graph windows by event time; both count
 * as covering their span. An hour is `complete` once a listing made at least the settle delay
 * after the hour's end covered it and none of its blobs is pending, failed or expired (or a
 * Graph query for it succeeded); `gap` when content is gone for good (an expired blob, a window
 * out of the Management API's reach); `partial` when something failed or a pull stopped before
 * it, which the next pull retries; `pending` when it is too recent to be settled, still being
 * fetched, or was never requested. Every hour that is not complete says why, and a pending one
 * when it will settle or what fills it.
 */
export function coverage(ledger: Ledger, range: CoverageRange, now: Date): HourCoverage[] {
  const tenant = range.tenantId?.toLowerCase()
  const settleMs = range.settleMs ?? DEFAULT_SETTLE_MS
  const isTenant = (t: string): boolean => tenant === undefined || t.toLowerCase() === tenant
  const all = Object.values(ledger.windows).filter((w) => isTenant(w.tenantId))
  // Imported files only ever say "imported": they take no part in the API's answer below.
  const files: WindowSpan[] = all
    .filter((w) => w.source === 'file' && (range.source === undefined || range.source === 'file'))
    .map((w) => ({ start: Date.parse(w.start), end: Date.parse(w.end), window: w }))
  const windows: WindowSpan[] = all
    .filter(
      (w) =>
        w.source !== 'file' &&
        (range.source === undefined || w.source === range.source) &&
        (range.contentType === undefined ||
          w.source !== 'management' ||
          w.contentType.toLowerCase() === range.contentType.toLowerCase())
    )
    .map((w) => ({ start: Date.parse(w.start), end: Date.parse(w.end), window: w }))
  // Queries cover their hours, except in a KQL (workspace or ADX) window read before it settled
  // (status `listed`): rows may still be arriving there, and the next pull reads it again.
  const graphKeys = new Set(
    windows
      .filter(
        (w) =>
          w.window.source === 'graph' ||
          ((w.window.source === 'workspace' || w.window.source === 'adx') &&
            w.window.status !== 'listed')
      )
      .map((w) => w.window.key)
  )
  const queries: QuerySpan[] = Object.values(ledger.queries)
    .filter((q) => isTenant(q.tenantId) && graphKeys.has(q.windowKey))
    .map((q) => ({ start: Date.parse(q.start), end: Date.parse(q.end), query: q }))
  const graphDone: Span[] = [
    ...windows.filter((w) => w.window.source !== 'management' && w.window.status === 'complete'),
    ...queries.filter((q) => q.query.status === 'succeeded')
  ]
  const settled: Span[] = windows
    .filter((w) => w.window.source === 'management')
    .map((w) => ({ start: w.start, end: settledUntil(w.window, settleMs) }))
    .filter((s) => s.end > s.start)
  const ctx: Context = {
    windows,
    settled,
    graphDone,
    failedQueries: queries.filter((q) => q.query.status === 'failed'),
    queried: new Set(queries.map((q) => q.query.windowKey)),
    settleMs,
    isSyncing: range.isSyncing ?? false,
    now: now.getTime(),
    start: range.start.getTime(),
    end: range.end.getTime()
  }
  const blobsByHour = new Map<number, BlobTally>()
  for (const b of Object.values(ledger.blobs)) {
    if (
      !isTenant(b.tenantId) ||
      (range.source !== undefined && range.source !== 'management') ||
      (range.contentType !== undefined &&
        b.contentType.toLowerCase() !== range.contentType.toLowerCase())
    ) {
      continue
    }
    const hour = Math.floor(Date.parse(b.contentCreated) / HOUR_MS) * HOUR_MS
    const tally = blobsByHour.get(hour) ?? { pending: 0, failed: 0, expired: 0, lastError: null }
    if (b.status === 'pending') {
      tally.pending++
    } else if (b.status === 'failed') {
      tally.failed++
      tally.lastError = b.lastError ?? tally.lastError
    } else if (b.status === 'expired') {
      tally.expired++
    }
    blobsByHour.set(hour, tally)
  }
  const out: HourCoverage[] = []
  const first = Math.floor(range.start.getTime() / HOUR_MS) * HOUR_MS
  for (let h = first; h < range.end.getTime(); h += HOUR_MS) {
    const api = hourStatus(h, ctx, blobsByHour.get(h))
    const imported = api.status === 'complete' || h >= ctx.now ? null : importedBy(files, h, ctx)
    out.push({
      hour: new Date(h).toISOString(),
      ...(imported
        ? {
            status: imported.status,
            reason: `${imported.reason}; from the API: ${api.status}, ${api.reason}`
          }
        : api)
    })
  }
  return out
}

/** The `imported` answer for an hour that file windows touch, or null when none does. */
function importedBy(
  files: readonly WindowSpan[],
  h: number,
  ctx: Context
): { status: HourStatus; reason: string } | null {
  const from = Math.max(h, ctx.start)
  const to = Math.min(h + HOUR_MS, ctx.end)
  const names = [
    ...new Set(
      files
        .filter((f) => f.start < to && f.end > from)
        .map((f) => f.window.contentType.replace(/^file:/, ''))
    )
  ]
  if (names.length === 0) {
    return null
  }
  const shown =
    names.length > 3
      ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`
      : names.join(', ')
  return {
    status: 'imported',
    reason: `imported from a file (${shown}), not checked against the API`
  }
}

function hourStatus(
  h: number,
  ctx: Context,
  blobs: BlobTally | undefined
): { status: HourStatus; reason: string } {
  const end = h + HOUR_MS
  const now = ctx.now
  const settlesAt = clock(end + ctx.settleMs)
  if (h >= now) {
    return { status: 'pending', reason: `in the future; a sync after ${settlesAt} settles it` }
  }
  const from = Math.max(h, ctx.start)
  const to = Math.min(end, now, ctx.end)
  if (covers(ctx.graphDone, from, to)) {
    return { status: 'complete', reason: 'Graph query complete' }
  }
  if (blobs && blobs.expired > 0) {
    return {
      status: 'gap',
      reason: `${blobs.expired} blob(s) expired before download: gone for good`
    }
  }
  if (blobs && blobs.failed > 0) {
    const why = blobs.lastError ? ` (${blobs.lastError.code}: ${blobs.lastError.message})` : ''
    return {
      status: 'partial',
      reason: `${blobs.failed} blob(s) failed${why}; the next sync retries them`
    }
  }
  if (blobs && blobs.pending > 0) {
    return {
      status: 'pending',
      reason: ctx.isSyncing
        ? `${blobs.pending} blob(s) listed, being downloaded`
        : `${blobs.pending} blob(s) listed but not downloaded: the sync stopped; the next sync fetches them`
    }
  }
  if (covers(ctx.settled, from, to)) {
    return { status: 'complete', reason: 'listed and downloaded' }
  }
  const failedQuery = ctx.failedQueries.find((q) => q.start < end && q.end > h)
  if (failedQuery) {
    return {
      status: 'partial',
      reason: `${failedQuery.query.lastError?.message ?? 'the Graph query failed'}; the next sync queries it again`
    }
  }
  const touching = ctx.windows.filter((s) => s.start < end && s.end > h)
  const gapWindow = touching.find((s) => s.window.status === 'gap')
  if (gapWindow) {
    return {
      status: 'gap',
      reason: `${gapWindow.window.lastError?.message ?? 'content unavailable'}`
    }
  }
  const broken = touching.find((s) => s.window.status === 'partial' || s.window.status === 'failed')
  if (broken) {
    return {
      status: 'partial',
      reason: `${broken.window.lastError?.message ?? `window ${broken.window.status}`}; the next sync retries it`
    }
  }
  const isOld = end <= now - MANAGEMENT_REACH_MS
  if (touching.length === 0) {
    return isOld
      ? {
          status: 'gap',
          reason:
            'not requested or out of reach: older than the 7 days the Management API keeps and never fetched; only a pull with history (Graph) can fetch it'
        }
      : {
          status: 'pending',
          reason: `not requested: no sync has asked for this hour; sync a range that includes it before ${clock(h + MANAGEMENT_REACH_MS)}`
        }
  }
  if (touching.every((s) => isUntried(s.window, ctx))) {
    if (ctx.isSyncing) {
      return { status: 'pending', reason: 'not tried yet: the sync has not reached it' }
    }
    const isGraph = touching.some((s) => s.window.source !== 'management')
    return isOld && !isGraph
      ? {
          status: 'gap',
          reason:
            'not tried: the pull stopped before it, and it is now older than the 7 days the Management API keeps'
        }
      : {
          status: 'partial',
          reason: 'not tried: the pull stopped before it; the next pull fetches it'
        }
  }
  if (end > now) {
    return {
      status: 'pending',
      reason: `the hour has not ended; a sync after ${settlesAt} settles it`
    }
  }
  // A workspace day read before it ended is read again, whole, by the next sync after the day
  // has ended: its hours wait for that, they are not a pull that stopped.
  const openDay = touching.find(
    (s) => s.window.source === 'workspace' && s.window.status === 'listed'
  )
  if (openDay && !ctx.isSyncing) {
    return {
      status: 'pending',
      reason: `read from the workspace before its day ended; a sync after ${clock(Date.parse(openDay.window.end))} reads the day again and settles it`
    }
  }
  const listed = touching
    .map((s) => s.window.lastListedAt)
    .filter((t): t is string => t !== null && Date.parse(t) < end + ctx.settleMs)
    .sort()
    .pop()
  if (listed) {
    return {
      status: 'pending',
      reason: `listed at ${clock(Date.parse(listed))}, less than the settle delay after the hour ended (late content can still appear); a sync after ${settlesAt} settles it`
    }
  }
  if (!covers(touching, from, to)) {
    // The engine keeps a safety margin from the 7-day edge: what lies within it is out of reach.
    return from < now - MANAGEMENT_REACH_MS + DEFAULT_SAFETY_MARGIN_MS
      ? {
          status: 'gap',
          reason:
            'partly out of reach: part of this hour is older than the 7 days the Management API keeps and was never fetched; only a pull with history (Graph) can fetch it'
        }
      : {
          status: 'pending',
          reason: 'partly requested: no sync has asked for the rest of this hour yet'
        }
  }
  return ctx.isSyncing
    ? { status: 'pending', reason: 'being fetched' }
    : {
        status: 'partial',
        reason: 'started but not finished: the pull stopped; the next pull resumes it'
      }
}

/** Consecutive hours with the same status and reason. */
export interface CoverageRun {
  /** Start of the first hour and end of the last, ISO 8601 UTC. */
  start: string
  end: string
  hours: number
  status: HourStatus
  reason: string
}

/** Groups consecutive hours with the same status and reason (for a readable report). */
export function coverageRuns(hours: readonly HourCoverage[]): CoverageRun[] {
  const out: CoverageRun[] = []
  for (const h of hours) {
    const last = out[out.length - 1]
    const end = new Date(Date.parse(h.hour) + HOUR_MS).toISOString()
    if (last && last.status === h.status && last.reason === h.reason && last.end === h.hour) {
      last.hours += 1
      last.end = end
    } else {
      out.push({ start: h.hour, end, hours: 1, status: h.status, reason: h.reason })
    }
  }
  return out
}

/** A window a run planned and never started (run-plan.ts in the engine). */
function isUntried(w: LedgerWindow, ctx: Context): boolean {
  return (
    w.status === 'pending' &&
    w.listCount === 0 &&
    w.attempts === 0 &&
    w.lastError === null &&
    !ctx.queried.has(w.key)
  )
}

/** `2026-11-20 14:15 UTC`. */
function clock(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`
}

/** Whether the union of spans covers `[from, to)`. */
function covers(spans: readonly Span[], from: number, to: number): boolean {
  let cursor = from
  for (const s of [...spans].sort((a, b) => a.start - b.start)) {
    if (s.start > cursor) {
      break
    }
    cursor = Math.max(cursor, s.end)
    if (cursor >= to) {
      return true
    }
  }
  return cursor >= to
}
