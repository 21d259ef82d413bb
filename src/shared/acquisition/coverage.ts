import type { AcquisitionSource, Ledger, LedgerWindow } from './ledger'

/**
 * Coverage of a time range by the ledger, hour by hour: the "did I get everything?" answer
 * (what-users-want.md §3 complaint 1). Pure; runs anywhere.
 */

/** How well one hour is covered. */
export type HourStatus = 'complete' | 'partial' | 'gap' | 'pending'

/** One hour of a coverage answer. */
export interface HourCoverage {
  /** Start of the hour, ISO 8601 UTC. */
  hour: string
  status: HourStatus
  /** Why, in a few words (`2 blobs expired`, `not listed yet`). */
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
}

const HOUR_MS = 3_600_000
const MANAGEMENT_REACH_MS = 7 * 86_400_000

interface Span {
  start: number
  end: number
  window: LedgerWindow
}

/**
 * Per-hour coverage of `[range.start, range.end)` (hours aligned to UTC).
 *
 * Management windows select blobs by `contentCreated`, Graph windows by event time; both count
 * as covering their span. An hour is `complete` when windows marked complete cover all of it and
 * none of its blobs is pending, failed or expired; `gap` when content is gone for good (an expired
 * blob, a `gap` window, or nothing acquired for an hour the Management API can no longer reach);
 * `partial` when something failed but can be retried; `pending` otherwise (not listed yet, in the
 * future, or listed too soon to rule out late content).
 */
export function coverage(ledger: Ledger, range: CoverageRange, now: Date): HourCoverage[] {
  const tenant = range.tenantId?.toLowerCase()
  const spans: Span[] = Object.values(ledger.windows)
    .filter(
      (w) =>
        (tenant === undefined || w.tenantId.toLowerCase() === tenant) &&
        (range.source === undefined || w.source === range.source) &&
        (range.contentType === undefined ||
          w.source === 'graph' ||
          w.contentType.toLowerCase() === range.contentType.toLowerCase())
    )
    .map((w) => ({ start: Date.parse(w.start), end: Date.parse(w.end), window: w }))
  const blobsByHour = new Map<number, { pending: number; failed: number; expired: number }>()
  for (const b of Object.values(ledger.blobs)) {
    if (
      (tenant !== undefined && b.tenantId.toLowerCase() !== tenant) ||
      range.source === 'graph' ||
      (range.contentType !== undefined &&
        b.contentType.toLowerCase() !== range.contentType.toLowerCase())
    ) {
      continue
    }
    const hour = Math.floor(Date.parse(b.contentCreated) / HOUR_MS) * HOUR_MS
    const tally = blobsByHour.get(hour) ?? { pending: 0, failed: 0, expired: 0 }
    if (b.status === 'pending') {
      tally.pending++
    } else if (b.status === 'failed') {
      tally.failed++
    } else if (b.status === 'expired') {
      tally.expired++
    }
    blobsByHour.set(hour, tally)
  }
  const out: HourCoverage[] = []
  const nowMs = now.getTime()
  const first = Math.floor(range.start.getTime() / HOUR_MS) * HOUR_MS
  for (let h = first; h < range.end.getTime(); h += HOUR_MS) {
    out.push({
      hour: new Date(h).toISOString(),
      ...hourStatus(h, spans, blobsByHour.get(h), nowMs)
    })
  }
  return out
}

function hourStatus(
  h: number,
  spans: Span[],
  blobs: { pending: number; failed: number; expired: number } | undefined,
  now: number
): { status: HourStatus; reason: string } {
  const end = h + HOUR_MS
  if (h >= now) {
    return { status: 'pending', reason: 'in the future' }
  }
  const touching = spans.filter((s) => s.start < end && s.end > h)
  const graphComplete = touching.filter(
    (s) => s.window.source === 'graph' && s.window.status === 'complete'
  )
  if (covers(graphComplete, h, Math.min(end, now))) {
    return { status: 'complete', reason: 'Graph query complete' }
  }
  if (blobs && blobs.expired > 0) {
    return { status: 'gap', reason: `${blobs.expired} blob(s) expired before download` }
  }
  const gapWindow = touching.find((s) => s.window.status === 'gap')
  if (gapWindow) {
    return { status: 'gap', reason: gapWindow.window.lastError?.message ?? 'content unavailable' }
  }
  if (blobs && blobs.failed > 0) {
    return { status: 'partial', reason: `${blobs.failed} blob(s) failed` }
  }
  const broken = touching.find((s) => s.window.status === 'partial' || s.window.status === 'failed')
  if (broken) {
    return {
      status: 'partial',
      reason: broken.window.lastError?.message ?? `window ${broken.window.status}`
    }
  }
  if (touching.length === 0) {
    return end <= now - MANAGEMENT_REACH_MS
      ? { status: 'gap', reason: 'never acquired and older than 7 days' }
      : { status: 'pending', reason: 'not listed yet' }
  }
  if (blobs && blobs.pending > 0) {
    return { status: 'pending', reason: `${blobs.pending} blob(s) not downloaded yet` }
  }
  const complete = touching.filter((s) => s.window.status === 'complete')
  if (covers(complete, h, Math.min(end, now))) {
    return { status: 'complete', reason: 'listed and downloaded' }
  }
  if (touching.some((s) => s.window.status === 'listed')) {
    return { status: 'pending', reason: 'listed; waiting out the settle delay for late content' }
  }
  return { status: 'pending', reason: 'not fully listed yet' }
}

/** Whether the union of spans covers `[from, to)`. */
function covers(spans: Span[], from: number, to: number): boolean {
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
