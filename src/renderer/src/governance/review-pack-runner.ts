/**
 * A review pack of the Explorer's current view, made through main: the records of the view (whole,
 * raw text included), their annotations and the cache's ledger go to main in slices; main writes
 * them as a snapshot, verifies it and makes the XLSX and HTML from it, as `cax report --snapshot`
 * does. The finding settings are the ones saved in the Findings view.
 */
import type { ErrorInfo } from '../../../shared/errors'
import type { AppApi } from '../../../shared/ipc/contract'
import type { AppDb } from '../db/app-db'
import type { GridRow, RecordsPage } from '../explorer/query-types'
import { EXPORT_CHUNK, loadWholeLedger } from '../snapshots/use-snapshots'

import { loadGovernanceSettings } from './use-governance'

/** What a finished pack wrote (paths on the computer main runs on). */
export interface ReviewPackDone {
  snapshotPath: string
  fingerprint: string
  xlsxPath: string
  htmlPath: string
  records: number
  resources: number
  findings: number
}

export type ReviewPackOutcome =
  | { status: 'done'; pack: ReviewPackDone }
  | { status: 'cancelled' }
  | { status: 'failed'; error: ErrorInfo }

export interface ReviewPackJob {
  api: AppApi
  db: AppDb
  timeZone: 'utc' | 'local'
  fetchRows(start: number, end: number): Promise<{ total: number; rows: GridRow[] }>
  fetchRecords(start: number, end: number): Promise<RecordsPage>
  signal: AbortSignal
  onProgress(done: number, total: number): void
  now?: Date
}

/** `connector-review-pack-2026-12-05T1540`. */
export function suggestedPackName(now: Date): string {
  return `connector-review-pack-${now.toISOString().slice(0, 16).replace(':', '')}`
}

/** The annotations of the view's records only (the cache may annotate others). */
async function viewAnnotations(
  job: ReviewPackJob
): Promise<Record<string, { tags: string[]; comment: string }>> {
  const all = await job.db.allAnnotations()
  if (Object.keys(all).length === 0) {
    return {}
  }
  const out: Record<string, { tags: string[]; comment: string }> = {}
  for (let start = 0; ; start += EXPORT_CHUNK * 5) {
    const page = await job.fetchRows(start, start + EXPORT_CHUNK * 5)
    for (const row of page.rows) {
      const note = all[row.id]
      if (note) {
        out[row.id] = note
      }
    }
    if (page.rows.length === 0 || start + page.rows.length >= page.total) {
      return out
    }
  }
}

/** Makes the pack; see the module comment. */
export async function runReviewPack(job: ReviewPackJob): Promise<ReviewPackOutcome> {
  const [ledger, { settings }, annotations, first] = await Promise.all([
    loadWholeLedger(job.db),
    loadGovernanceSettings(job.db),
    viewAnnotations(job),
    job.fetchRows(0, 0)
  ])
  const begun = await job.api.reports.begin({
    suggestedName: suggestedPackName(job.now ?? new Date()),
    ledger,
    annotations,
    settings,
    timeZone: job.timeZone
  })
  if (!begun.ok) {
    return begun.error.code === 'snapshot/cancelled'
      ? { status: 'cancelled' }
      : { status: 'failed', error: begun.error }
  }
  const { packId } = begun.value
  let total = first.total
  let sent = 0
  job.onProgress(0, total)
  while (sent < total) {
    if (job.signal.aborted) {
      await job.api.reports.cancel({ packId })
      return { status: 'cancelled' }
    }
    const page = await job.fetchRecords(sent, sent + EXPORT_CHUNK)
    total = page.total
    if (page.records.length === 0) {
      break
    }
    const appended = await job.api.reports.append({ packId, records: page.records })
    if (!appended.ok) {
      await job.api.reports.cancel({ packId })
      return { status: 'failed', error: appended.error }
    }
    sent += page.records.length
    job.onProgress(sent, total)
  }
  if (job.signal.aborted) {
    await job.api.reports.cancel({ packId })
    return { status: 'cancelled' }
  }
  const finished = await job.api.reports.finish({ packId })
  return finished.ok
    ? { status: 'done', pack: finished.value }
    : { status: 'failed', error: finished.error }
}
