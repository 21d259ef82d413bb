import type { AcquisitionLogEntryInfo } from '../../../shared/ipc/contract'

/** An acquisition-log entry as the Sync view shows it. */
export interface LogEntryText {
  /** `Imported purview.csv — complete`. */
  title: string
  /** `2026-12-05 15:40 UTC by alex`. */
  when: string
  /** `complete`, `cancelled`, `failed`, or '' when the entry has none. */
  status: string
  /** Detail lines: the file, the counts, the span of the records. */
  lines: string[]
}

function utc(iso: unknown): string | null {
  return typeof iso === 'string' && iso.length >= 16
    ? `${iso.slice(0, 16).replace('T', ' ')} UTC`
    : null
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null
}

function count(n: number | undefined): string {
  return (n ?? 0).toLocaleString('en-US')
}

function bytes(n: unknown): string | null {
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    return null
  }
  if (n < 1024) {
    return `${n} bytes`
  }
  const units = ['KB', 'MB', 'GB', 'TB']
  let value = n / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`
}

/** What one entry says, in words (imports of audit files in detail; other actions generically). */
export function describeLogEntry(entry: AcquisitionLogEntryInfo): LogEntryText {
  const p = entry.parameters
  const c = entry.counts
  const status = text(p['status']) ?? ''
  const when = `${utc(entry.at) ?? entry.at} by ${entry.actor}`
  if (entry.action !== 'import') {
    return {
      title: `${entry.action}: ${entry.source}`,
      when,
      status,
      lines: [
        Object.entries(c)
          .map(([k, v]) => `${k} ${count(v)}`)
          .join(', ')
      ].filter((l) => l !== '')
    }
  }
  const lines: string[] = []
  const file = [
    bytes(p['bytes']),
    text(p['format']),
    text(p['sha256']) ? `SHA-256 ${String(p['sha256'])}` : 'SHA-256 not taken (not read to its end)'
  ].filter((part): part is string => part !== null)
  lines.push(file.join(' · '))
  lines.push(
    `${count(c['rows'])} rows read · ${count(c['stored'])} stored · ${count(c['duplicates'])} duplicates (${count(c['duplicatesInFile'])} within the file, ${count(c['alreadyCached'])} already cached) · ${count(c['rejected'])} rejected`
  )
  const first = utc(p['firstRecordAt'])
  const last = utc(p['lastRecordAt'])
  lines.push(first && last ? `Records from ${first} to ${last}` : 'No records stored')
  const error = text(p['error'])
  const outcome =
    status === 'complete'
      ? 'complete'
      : status === 'cancelled'
        ? 'cancelled (what was stored is kept)'
        : status === 'failed'
          ? `failed${error ? ` (${error})` : ''}`
          : status
  return {
    title: `Imported ${entry.source}${outcome ? ` — ${outcome}` : ''}`,
    when,
    status,
    lines
  }
}
