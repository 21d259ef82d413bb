/**
 * Stacking by the date: each record's time falls in a bucket (a day, or an hour) of the time
 * zone the grid shows (UTC or this computer's), so "how many changes per day" is a stack like
 * any other. A bucket's label is its start as the grid writes it (`2026-05-20`, `2026-05-20
 * 14:00`), and a label gives back its bucket's range, so a click on an entry filters the grid
 * to that day or hour. Pure.
 */
import type { RankedColumn } from './column-ranks'
import type { TimeZoneMode } from './explorer-columns'
import { DATE_COLUMN } from './query-types'

/** How finely the date is stacked. */
export type DateBucket = 'day' | 'hour'

/** The buckets offered, coarsest first (a day is what an analyst stacks by first). */
export const DATE_BUCKETS: readonly DateBucket[] = ['day', 'hour']

const SEP = '@'

/** The stack column id of the date by `bucket` in `zone` (`createdAt@day@utc`). */
export function dateBucketColumn(bucket: DateBucket, zone: TimeZoneMode): string {
  return `${DATE_COLUMN}${SEP}${bucket}${SEP}${zone}`
}

/** The bucket and zone of a date stack column id, or null for any other column. */
export function parseDateBucketColumn(
  colId: string
): { bucket: DateBucket; zone: TimeZoneMode } | null {
  const [column, bucket, zone, ...rest] = colId.split(SEP)
  if (
    column !== DATE_COLUMN ||
    rest.length > 0 ||
    (bucket !== 'day' && bucket !== 'hour') ||
    (zone !== 'utc' && zone !== 'local')
  ) {
    return null
  }
  return { bucket, zone }
}

/** The start of the bucket holding `ms`. */
export function bucketStart(ms: number, bucket: DateBucket, zone: TimeZoneMode): number {
  const d = new Date(ms)
  if (zone === 'utc') {
    return bucket === 'day'
      ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())
      : Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours())
  }
  // Local days are 23 or 25 hours long across a DST change, and some zones are offset by half
  // an hour: the local Date fields know both.
  return bucket === 'day'
    ? new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime()
    : ms - (d.getMinutes() * 60_000 + d.getSeconds() * 1000 + d.getMilliseconds())
}

/** The end (exclusive) of the bucket starting at `start`. */
export function bucketEnd(start: number, bucket: DateBucket, zone: TimeZoneMode): number {
  if (bucket === 'hour') {
    return start + 3_600_000
  }
  if (zone === 'utc') {
    return start + 86_400_000
  }
  const d = new Date(start)
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime()
}

const pad = (n: number): string => String(n).padStart(2, '0')

function wallClock(start: number, bucket: DateBucket, zone: TimeZoneMode): string {
  const d = new Date(start)
  const [y, m, day, h] =
    zone === 'utc'
      ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours()]
      : [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours()]
  const date = `${y}-${pad(m)}-${pad(day)}`
  return bucket === 'day' ? date : `${date} ${pad(h)}:00`
}

/** `UTC+02:00` for the local offset at `ms`. */
function offsetLabel(ms: number): string {
  const minutes = -new Date(ms).getTimezoneOffset()
  const sign = minutes < 0 ? '-' : '+'
  const abs = Math.abs(minutes)
  return `UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
}

/**
 * The label of the bucket starting at `start`: `YYYY-MM-DD` or `YYYY-MM-DD HH:00`. A local hour
 * the clocks go through twice (the fall-back hour of daylight saving time) also names its
 * offset, `2026-10-25 02:00 (UTC+02:00)` then `(UTC+01:00)`, so the two are two entries and a
 * click on either filters to that hour only.
 */
export function bucketLabel(start: number, bucket: DateBucket, zone: TimeZoneMode): string {
  const label = wallClock(start, bucket, zone)
  if (bucket === 'day' || zone === 'utc') {
    return label
  }
  const isRepeated =
    wallClock(start - 3_600_000, bucket, zone) === label ||
    wallClock(start + 3_600_000, bucket, zone) === label
  return isRepeated ? `${label} (${offsetLabel(start)})` : label
}

const LABEL = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):00(?: \(UTC([+-])(\d{2}):(\d{2})\))?)?$/

/** The range [fromMs, toMs) of a bucket's label, or null when the label is not one. */
export function bucketRangeOfLabel(
  label: string,
  bucket: DateBucket,
  zone: TimeZoneMode
): { fromMs: number; toMs: number } | null {
  const match = LABEL.exec(label)
  if (!match || (bucket === 'hour') !== (match[4] !== undefined)) {
    return null
  }
  const [y, m, d, h] = [match[1], match[2], match[3], match[4] ?? '0'].map(Number) as [
    number,
    number,
    number,
    number
  ]
  if (match[5] !== undefined && zone === 'local') {
    // A repeated local hour, named by its offset: exactly that one of the two.
    const offset = (match[5] === '-' ? -1 : 1) * (Number(match[6]) * 60 + Number(match[7]))
    const fromMs = Date.UTC(y, m - 1, d, h) - offset * 60_000
    return bucketLabel(fromMs, bucket, zone) === label
      ? { fromMs, toMs: bucketEnd(fromMs, bucket, zone) }
      : null
  }
  const fromMs = zone === 'utc' ? Date.UTC(y, m - 1, d, h) : new Date(y, m - 1, d, h).getTime()
  return { fromMs, toMs: bucketEnd(fromMs, bucket, zone) }
}

/**
 * Ranks rows by the bucket of their time, walking the rows in time order: one rank per bucket
 * that holds a row, in time order, so the stack's value order is the calendar's.
 */
export function timeBucketRanks(
  times: Float64Array,
  timeOrder: Uint32Array,
  bucket: DateBucket,
  zone: TimeZoneMode
): RankedColumn {
  const ranks = new Uint32Array(times.length)
  const starts: number[] = [NaN]
  let end = -Infinity
  for (let i = 0; i < timeOrder.length; i++) {
    const row = timeOrder[i]!
    const t = times[row]!
    if (!Number.isFinite(t)) {
      ranks[row] = 0
      continue
    }
    if (t >= end) {
      const start = bucketStart(t, bucket, zone)
      starts.push(start)
      end = bucketEnd(start, bucket, zone)
    }
    ranks[row] = starts.length - 1
  }
  return {
    ranks,
    levels: starts.length - 1,
    value: (rank) => {
      const start = starts[rank]
      return start === undefined || Number.isNaN(start) ? '' : bucketLabel(start, bucket, zone)
    }
  }
}
