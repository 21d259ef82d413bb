import { reachableSince } from '../../../shared/acquisition'

/**
 * Time ranges offered for a sync. The Management Activity API reaches back 7 days; anything older
 * needs the Graph audit log query (history).
 */

/** A range preset the sync panel offers. */
export interface RangePreset {
  id: string
  label: string
  hours: number
}

export const RANGE_PRESETS: readonly RangePreset[] = [
  { id: '24h', label: 'Last 24 hours', hours: 24 },
  { id: '3d', label: 'Last 3 days', hours: 72 },
  { id: '7d', label: 'Last 7 days', hours: 168 },
  { id: '30d', label: 'Last 30 days', hours: 720 },
  { id: '90d', label: 'Last 90 days', hours: 2160 }
]

/** How far back the Management Activity API reaches. */
export const MANAGEMENT_REACH_HOURS = 7 * 24

/**
 * The concrete range of a preset ending now. Up to 7 days it starts no earlier than the
 * Management API reaches, so "the last 7 days" is everything the API still keeps.
 */
export function presetRange(preset: RangePreset, now: Date): { since: Date; until: Date } {
  return { since: reachableSince(preset.hours, now), until: now }
}

/** True when part of the range is older than the Management API reaches (history needed). */
export function needsHistory(since: Date, now: Date): boolean {
  return now.getTime() - since.getTime() > MANAGEMENT_REACH_HOURS * 3_600_000
}

/**
 * Parses the custom range inputs (`datetime-local` values, read as local time). Returns an error
 * message a person can act on instead of throwing.
 */
export function parseCustomRange(
  from: string,
  to: string,
  now: Date
): { since: Date; until: Date } | { error: string } {
  const since = new Date(from)
  const until = to ? new Date(to) : now
  if (Number.isNaN(since.getTime())) {
    return { error: 'Choose when the range starts.' }
  }
  if (Number.isNaN(until.getTime())) {
    return { error: 'The end of the range is not a date.' }
  }
  if (since.getTime() > now.getTime()) {
    return { error: 'The range starts in the future.' }
  }
  if (since.getTime() >= until.getTime()) {
    return { error: 'The start of the range must be before its end.' }
  }
  return { since, until: until.getTime() > now.getTime() ? now : until }
}

const HOUR_MS = 3_600_000
/** The longest span the coverage strip shows for an imported file (one cell an hour). */
export const MAX_IMPORTED_RANGE_HOURS = 31 * 24

/**
 * The range the coverage strip shows after an audit-file import: the whole hours its records
 * fall in, at most the last {@link MAX_IMPORTED_RANGE_HOURS} of them.
 */
export function importedRange(span: { first: string; last: string }): { since: Date; until: Date } {
  const until = Math.floor(Date.parse(span.last) / HOUR_MS) * HOUR_MS + HOUR_MS
  const first = Math.floor(Date.parse(span.first) / HOUR_MS) * HOUR_MS
  const since = Math.max(first, until - MAX_IMPORTED_RANGE_HOURS * HOUR_MS)
  return { since: new Date(since), until: new Date(until) }
}
