import type { RejectedRowInfo } from '../../../shared/ipc/contract'

/** Rows per second and the seconds left, from the progress so far; null before there is any. */
export function importRate(
  progress: { bytesRead: number; totalBytes: number; rowsRead: number },
  elapsedMs: number
): { rowsPerSecond: number; secondsLeft: number | null } | null {
  if (elapsedMs <= 0 || progress.rowsRead === 0 || progress.bytesRead === 0) {
    return null
  }
  const seconds = elapsedMs / 1000
  const bytesPerSecond = progress.bytesRead / seconds
  const left = Math.max(0, progress.totalBytes - progress.bytesRead)
  return {
    rowsPerSecond: progress.rowsRead / seconds,
    secondsLeft: progress.totalBytes > 0 ? left / bytesPerSecond : null
  }
}

/** Seconds as "1 h 02 min", "3 min 05 s" or "12 s". */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds)
  if (s >= 3600) {
    return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`
  }
  if (s >= 60) {
    return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`
  }
  return `${s} s`
}

function csvCell(value: string | number): string {
  const text = String(value)
  // A leading =, +, - or @ would run as a formula in a spreadsheet: quote it as text.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text
  return /[",\r\n]/.test(safe) || safe !== text ? `"${safe.replace(/"/g, '""')}"` : safe
}

/** The rejected rows as a CSV file: file, line, code, reason, excerpt. */
export function rejectionsCsv(fileName: string, rows: readonly RejectedRowInfo[]): string {
  const lines = ['file,line,code,reason,excerpt']
  for (const row of rows) {
    lines.push(
      [fileName, row.line, row.code, row.reason, row.excerpt].map((v) => csvCell(v)).join(',')
    )
  }
  return `${lines.join('\r\n')}\r\n`
}
