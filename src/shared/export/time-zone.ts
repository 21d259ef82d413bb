/**
 * Time zones for exports: every timestamp header names its zone (reference/what-users-want.md
 * §4 item 11), values are wall-clock times in that zone, DST-aware through `Intl`.
 */

/** A resolved export time zone. */
export interface ExportTimeZone {
  /** `UTC` or an IANA name (`Europe/Paris`). */
  name: string
  /** The text in headers: `UTC`, `UTC+01:00 Europe/Paris`, or `UTC+01:00/+02:00 Europe/Paris` when DST applies. */
  label: string
  /** True for UTC (fast path). */
  isUtc: boolean
}

/** The time zone is not one `Intl` knows. */
export class TimeZoneError extends RangeError {
  constructor(readonly input: string) {
    super(
      `Unknown time zone '${input}': use UTC, local, or an IANA name such as Europe/Paris or America/New_York`
    )
    this.name = 'TimeZoneError'
  }
}

/**
 * Resolves `UTC`, `local` (the zone of this machine) or an IANA name. Throws {@link TimeZoneError}
 * for anything else.
 */
export function resolveTimeZone(input: string, localZone?: string): ExportTimeZone {
  const trimmed = input.trim()
  if (trimmed === '' || /^(utc|z|gmt|etc\/utc)$/i.test(trimmed)) {
    return { name: 'UTC', label: 'UTC', isUtc: true }
  }
  let name = trimmed
  if (/^local$/i.test(trimmed)) {
    name = localZone ?? new Intl.DateTimeFormat().resolvedOptions().timeZone
    if (/^(utc|etc\/utc|gmt)$/i.test(name)) {
      return { name: 'UTC', label: 'UTC', isUtc: true }
    }
  }
  try {
    name = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone
  } catch {
    throw new TimeZoneError(input)
  }
  const year = new Date().getUTCFullYear()
  const winter = formatOffset(offsetMinutes(Date.UTC(year, 0, 15), name))
  const summer = formatOffset(offsetMinutes(Date.UTC(year, 6, 15), name))
  const offsets = winter === summer ? `UTC${winter}` : `UTC${winter}/${summer}`
  return { name, label: `${offsets} ${name}`, isUtc: false }
}

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit'
    })
    formatters.set(zone, f)
  }
  return f
}

/** Wall-clock fields of an instant in a zone. */
export interface WallClock {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
  millisecond: number
}

/** The wall-clock time of `ms` (UTC epoch) in `zone`. */
export function wallClock(ms: number, zone: ExportTimeZone): WallClock {
  const d = new Date(ms)
  if (zone.isUtc) {
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      millisecond: d.getUTCMilliseconds()
    }
  }
  const parts: Record<string, number> = {}
  for (const p of formatterFor(zone.name).formatToParts(d)) {
    if (p.type !== 'literal') {
      parts[p.type] = Number(p.value)
    }
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 0,
    day: parts.day ?? 0,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
    millisecond: ((ms % 1000) + 1000) % 1000
  }
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0')

/**
 * Formats an instant as `yyyy-MM-dd HH:mm:ss` (plus `.SSS` when it has milliseconds) in the zone:
 * a form every spreadsheet parses as a date-time. The zone is in the column header.
 */
export function formatInstant(ms: number, zone: ExportTimeZone): string {
  if (!Number.isFinite(ms)) {
    return ''
  }
  const w = wallClock(ms, zone)
  const base = `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`
  return w.millisecond === 0 ? base : `${base}.${pad(w.millisecond, 3)}`
}

/** Minutes east of UTC of `zone` at instant `ms`. */
export function offsetMinutes(ms: number, zoneName: string): number {
  if (/^utc$/i.test(zoneName)) {
    return 0
  }
  const w = wallClock(ms, { name: zoneName, label: zoneName, isUtc: false })
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second)
  return Math.round((asUtc - (ms - (((ms % 1000) + 1000) % 1000))) / 60_000)
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+'
  const abs = Math.abs(minutes)
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
}
