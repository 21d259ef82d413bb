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

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/** Days in a month (1–12) of a year, as `Date.UTC` counts them (it reads years 0–99 as 19xx). */
function daysInMonth(year: number, month: number): number {
  if (month !== 2) {
    return DAYS_IN_MONTH[month - 1] ?? 31
  }
  const y = year >= 0 && year <= 99 ? 1900 + year : year
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28
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
  if (!(ms >= FIRST_4_DIGIT_YEAR_MS && ms < AFTER_4_DIGIT_YEARS_MS) || !Number.isInteger(ms)) {
    return new Date(ms).toISOString()
  }
  // Written out by hand: Date#toISOString costs about a microsecond, and every record of an
  // import or sync takes one (the proleptic Gregorian civil date of the day number, H. Hinnant's
  // "days_from_civil" inverted; audit-time.test.ts holds it to toISOString).
  const days = Math.floor(ms / DAY_MS)
  let rest = ms - days * DAY_MS
  const z = days + 719_468
  const era = Math.floor(z / 146_097)
  const doe = z - era * 146_097
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365
  )
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0)
  const hour = Math.floor(rest / 3_600_000)
  rest -= hour * 3_600_000
  const minute = Math.floor(rest / 60_000)
  rest -= minute * 60_000
  const second = Math.floor(rest / 1000)
  const milli = rest - second * 1000
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}.${pad(milli, 3)}Z`
}

const DAY_MS = 86_400_000
/** 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z: toISOString writes years between with 4 digits. */
const FIRST_4_DIGIT_YEAR_MS = -62_167_219_200_000
const AFTER_4_DIGIT_YEARS_MS = 253_402_300_800_000

function pad(value: number, width: number): string {
  const text = String(value)
  return text.length >= width ? text : '0'.repeat(width - text.length) + text
}

/**
 * UTC epoch milliseconds as the auditor's display form with the zone written out:
 * `2026-05-19 13:17:34 UTC` (reference/connector-activities.md: the zone must be explicit).
 */
export function formatUtcDisplay(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`
}
