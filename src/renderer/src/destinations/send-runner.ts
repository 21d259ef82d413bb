/**
 * "Send to…" through main, the review pack's route: the records of the view (or of the whole
 * cache) go to main in slices, in a stable order (oldest first, then by Id) so the same records
 * are cut into the same parts every time and a send again resumes or finds them all there; main
 * writes them as a snapshot, verifies it and pushes from it, reporting progress as events.
 */
import type { SendProgress, SendScope, SendSummary } from '../../../shared/destinations'
import type { ErrorInfo } from '../../../shared/errors'
import type { AppApi } from '../../../shared/ipc/contract'
import { DATE_COLUMN, emptyQuery } from '../explorer/query-types'
import type { ExplorerQuery, RecordsPage } from '../explorer/query-types'
import { EXPORT_CHUNK } from '../snapshots/use-snapshots'

export type SendOutcome =
  | { status: 'done'; summary: SendSummary }
  | { status: 'cancelled' }
  | { status: 'failed'; error: ErrorInfo }

/** What the progress bar shows: handing the records over, then main's push. */
export interface SendStep {
  phase: 'handing-over' | SendProgress['phase']
  done: number
  total: number
  line: string
  throttled: number
}

export interface SendJob {
  api: AppApi
  destinationId: string
  scope: SendScope
  fetchRecords(query: ExplorerQuery, start: number, end: number): Promise<RecordsPage>
  /** The view's query (for scope `view`). */
  viewQuery: ExplorerQuery
  signal: AbortSignal
  onProgress(step: SendStep): void
}

/** The query whose records a send covers, in the order they are sent. */
export function sendQuery(scope: SendScope, view: ExplorerQuery): ExplorerQuery {
  const base = scope === 'view' ? view : emptyQuery()
  return {
    ...base,
    sort: [
      { colId: DATE_COLUMN, sort: 'asc' },
      { colId: 'id', sort: 'asc' }
    ]
  }
}

/** Runs a send; see the module comment. */
export async function runSend(job: SendJob): Promise<SendOutcome> {
  const query = sendQuery(job.scope, job.viewQuery)
  const begun = await job.api.sends.begin({ destinationId: job.destinationId, scope: job.scope })
  if (!begun.ok) {
    return { status: 'failed', error: begun.error }
  }
  const { sendId } = begun.value
  const cancel = async (): Promise<SendOutcome> => {
    await job.api.sends.cancel({ sendId })
    return { status: 'cancelled' }
  }
  let sent = 0
  let total = Number.POSITIVE_INFINITY
  while (sent < total) {
    if (job.signal.aborted) {
      return cancel()
    }
    const page = await job.fetchRecords(query, sent, sent + EXPORT_CHUNK)
    total = page.total
    job.onProgress({ phase: 'handing-over', done: sent, total, line: '', throttled: 0 })
    if (page.records.length === 0) {
      break
    }
    const appended = await job.api.sends.append({ sendId, records: page.records })
    if (!appended.ok) {
      await job.api.sends.cancel({ sendId })
      return { status: 'failed', error: appended.error }
    }
    sent += page.records.length
    job.onProgress({ phase: 'handing-over', done: sent, total, line: '', throttled: 0 })
  }
  if (job.signal.aborted) {
    return cancel()
  }
  const off = job.api.sends.onDidProgress((p) => {
    if (p.sendId === sendId) {
      job.onProgress({
        phase: p.phase,
        done: p.recordsDone,
        total: p.records,
        line: p.line,
        throttled: p.throttled
      })
    }
  })
  const onAbort = (): void => void job.api.sends.cancel({ sendId })
  job.signal.addEventListener('abort', onAbort)
  try {
    const finished = await job.api.sends.finish({ sendId })
    if (finished.ok) {
      return { status: 'done', summary: finished.value }
    }
    return finished.error.code === 'send/cancelled'
      ? { status: 'cancelled' }
      : { status: 'failed', error: finished.error }
  } finally {
    job.signal.removeEventListener('abort', onAbort)
    off()
  }
}

/** The one-line end of a send: sent, already there, failed. */
export function summaryText(s: SendSummary): string {
  const n = (v: number): string => v.toLocaleString()
  const parts = `${n(s.parts)} part${s.parts === 1 ? '' : 's'}`
  return (
    `${s.status === 'complete' ? 'Sent' : 'Partly sent'} to ${s.destination}: ${n(s.records)} records in ${parts} — ` +
    `${n(s.sentRecords)} sent and counted, ${n(s.alreadyThereRecords)} already there, ${n(s.failedRecords)} failed` +
    (s.throttled > 0 ? `; waited out ${n(s.throttled)} throttling answer(s)` : '') +
    (s.isResumed
      ? s.sentRecords === 0 && s.failedRecords === 0
        ? '; an earlier send of the same records had sent them all'
        : '; resumed an earlier send of the same records'
      : '') +
    '.'
  )
}
