import type { LedgerWindow } from './ledger'

/**
 * When an hour of Management API content is settled: once it was listed at least the settle delay
 * after the hour ended, content listed late for it is not expected any more (reference
 * management-api.md §7 item 6). Judged per hour, not per 24-hour listing window, so a sync at
 * 18:00 settles the hours up to 17:45 of its day rather than none of them.
 */

/** The settle delay the sync engine uses unless told otherwise. */
export const DEFAULT_SETTLE_MS = 15 * 60_000

/** How far back the Management Activity API lists content: 7 days. */
export const MANAGEMENT_REACH_MS = 7 * 86_400_000

/** The distance the sync engine keeps from the 7-day edge unless told otherwise. */
export const DEFAULT_SAFETY_MARGIN_MS = 15 * 60_000

/** Time allowed between choosing a range and the engine planning it (its clock has moved on). */
const PLANNING_SLACK_MS = 60_000

/**
 * The start of "the last N hours" as the Management API can serve it: never earlier than its
 * 7-day reach plus the safety margin (and a minute of slack), so "the last 7 days" means
 * everything the API still keeps rather than that plus a few minutes recorded as a gap.
 */
export function reachableSince(hours: number, now: Date): Date {
  const since = now.getTime() - hours * 3_600_000
  const reach = now.getTime() - MANAGEMENT_REACH_MS + DEFAULT_SAFETY_MARGIN_MS + PLANNING_SLACK_MS
  return new Date(hours * 3_600_000 <= MANAGEMENT_REACH_MS ? Math.max(since, reach) : since)
}

/**
 * The window's settled frontier after a successful listing of `[listStart, listEnd)` at
 * `listedAt`: everything from `windowStart` to the result has been listed a settle delay after
 * it. The frontier only moves forward over hours this listing covered without a hole, so a
 * listing that starts later than the frontier leaves it where it was.
 */
export function advanceSettled(args: {
  previous: number | null
  windowStart: number
  listStart: number
  listEnd: number
  listedAt: number
  settleMs: number
}): number {
  const edge = Math.min(args.listEnd, args.listedAt - args.settleMs)
  const from = args.previous ?? args.windowStart
  if (args.listStart > from) {
    return from
  }
  return Math.max(from, edge)
}

/**
 * How far a window is settled (epoch ms; `start` when nothing is). Ledgers written before
 * `settledUntil` existed are read as the engine wrote them: a `complete` window is settled
 * throughout, any other listed window up to its last listing minus the settle delay.
 */
export function settledUntil(window: LedgerWindow, settleMs = DEFAULT_SETTLE_MS): number {
  const start = Date.parse(window.start)
  const end = Date.parse(window.end)
  if (window.settledUntil) {
    return Math.max(start, Math.min(end, Date.parse(window.settledUntil)))
  }
  if (window.status === 'complete') {
    return end
  }
  if (window.listCount === 0 || window.lastListedAt === null) {
    return start
  }
  return Math.max(start, Math.min(end, Date.parse(window.lastListedAt) - settleMs))
}
