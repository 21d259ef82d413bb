/**
 * Parsing the date formats audit sources use, always to UTC (reference/audit-events.md §12.2).
 *
 * A time without a zone is UTC: `CreationTime` is written `2015-06-29T20:03:19` with no `Z`.
 * Purview and Search-UnifiedAuditLog CSVs write `M/d/yyyy h:mm:ss AM/PM` display strings; those
 * are parsed (as UTC) for provenance only, never used as the event time (§12.2, §13 rule 9).
 */

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i
const US =
  /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:\s*([AP]M))?)?(?:\s*(Z|[+-]\d{2}(?::?\d{2})?))?$/i

/**
 * Parses an audit timestamp to UTC epoch milliseconds, or null when it is not a valid date.
 *
 * Accepts ISO 8601 with or without `T`, fractional seconds (up to 9 digits, truncated to ms),
 * `Z` or an offset (`+02:00`, `+0200`, `+02`); and US display dates `9/20/2023 4:05:03 AM`,
 * optionally 24-hour and optionally with an offset (`6/1/2024 11:59:15 PM +00:00`). A value with
 * no zone is taken as UTC. Impossible dates (month 13, 31 April, hour 25) are rejected.
 */
export function parseAuditTime(text: string): number | null {
  const value = text.trim()
  const iso = ISO.exec(value)
  if (iso) {
    return build({
      year: iso[1],
      month: iso[2],
      day: iso[3],
      hour: iso[4],
      minute: iso[5],
      second: iso[6],
      fraction: iso[7],
      meridiem: undefined,
      zone: iso[8]
    })
  }
  const us = US.exec(value)
  if (us) {
    return build({
      year: us[3],
      month: us[1],
      day: us[2],
      hour: us[4],
      minute: us[5],
      second: us[6],
      fraction: us[7],
      meridiem: us[8],
      zone: us[9]
    })
  }
  return null
}

interface DateParts {
  year: string | undefined
  month: string | undefined
  day: string | undefined
  hour: string | undefined
  minute: string | undefined
  second: string | undefined
  fraction: string | undefined
  meridiem: string | undefined
  zone: string | undefined
}

function build(parts: DateParts): number | null {
  const year = Number(parts.year)
  const month = Number(parts.month)
  const day = Number(parts.day)
  let hour = Number(parts.hour ?? '0')
  const minute = Number(parts.minute ?? '0')
  const second = Number(parts.second ?? '0')
  const ms = Number((parts.fraction ?? '').slice(0, 3).padEnd(3, '0'))
  if (parts.meridiem !== undefined) {
    if (hour < 1 || hour > 12) {
      return null
    }
    const isPm = parts.meridiem.toUpperCase() === 'PM'
    hour = (hour % 12) + (isPm ? 12 : 0)
  }
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return null
  }
  if (hour > 23 || minute > 59 || second > 59) {
    return null
  }
  const offsetMinutes = parseOffset(parts.zone)
  if (offsetMinutes === null) {
    return null
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

function parseOffset(zone: string | undefined): number | null {
  if (zone === undefined || zone.toUpperCase() === 'Z') {
    return 0
  }
  const match = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)
  if (!match) {
    return null
  }
  const hours = Number(match[2])
  const minutes = Number(match[3] ?? '0')
  if (hours > 14 || minutes > 59) {
    return null
  }
  return (match[1] === '-' ? -1 : 1) * (hours * 60 + minutes)
}

/** UTC epoch milliseconds as an ISO 8601 string with an explicit `Z` (`2026-05-19T13:17:34.000Z`). */
export function toUtcIso(ms: number): string {
  return new Date(ms).toISOString()
}

/**
 * UTC epoch milliseconds as the auditor's display form with the zone written out:
 * `2026-05-19 13:17:34 UTC` (reference/connector-activities.md: the zone must be explicit).
 */
export function formatUtcDisplay(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`
}
