/**
 * Window planning for the Management Activity API: at most 24 hours each, never starting earlier
 * than 7 days ago plus a safety margin (management-api.md §2.6, §7 item 3).
 */
import { utcDayStart } from '../../../shared/acquisition'

/** The API's reach: content can be listed for 7 days. */
export const REACH_MS = 7 * 86_400_000
/** The longest window the API accepts. */
export const MAX_WINDOW_MS = 86_400_000

/** One planned window `[start, end)`, inside one UTC day. */
export interface PlannedWindow {
  start: number
  end: number
  /** The UTC midnight of the day it belongs to (its ledger key). */
  day: number
}

/** A plan: windows the API can list, and the part of the range it can no longer reach. */
export interface WindowPlan {
  windows: PlannedWindow[]
  /** `[start, end)` older than the reach, or null. */
  unreachable: { start: number; end: number } | null
  /** The earliest start allowed at planning time. */
  horizon: number
}

/**
 * Splits `[since, until)` into UTC-day windows the API accepts at `serverNow`.
 *
 * `serverNow` is the local clock corrected by the server's skew when known; `marginMs` keeps the
 * start away from the 7-day edge (the start is checked again just before each listing).
 */
export function planManagementWindows(args: {
  since: number
  until: number
  serverNow: number
  marginMs: number
}): WindowPlan {
  const horizon = earliestStart(args.serverNow, args.marginMs)
  const end = Math.min(args.until, args.serverNow)
  const start = Math.max(args.since, horizon)
  const unreachable =
    args.since < Math.min(horizon, end) ? { start: args.since, end: Math.min(horizon, end) } : null
  const windows: PlannedWindow[] = []
  for (let a = start; a < end;) {
    const day = utcDayStart(a)
    const b = Math.min(end, day + MAX_WINDOW_MS)
    windows.push({ start: a, end: b, day })
    a = b
  }
  return { windows, unreachable, horizon }
}

/** The earliest `startTime` allowed now: 7 days ago plus the margin. */
export function earliestStart(serverNow: number, marginMs: number): number {
  return serverNow - REACH_MS + marginMs
}

/** Splits a Graph span (event time) into UTC-day windows. */
export function planDayWindows(since: number, until: number): PlannedWindow[] {
  const out: PlannedWindow[] = []
  for (let a = since; a < until;) {
    const day = utcDayStart(a)
    const b = Math.min(until, day + MAX_WINDOW_MS)
    out.push({ start: a, end: b, day })
    a = b
  }
  return out
}
