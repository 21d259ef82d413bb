import type { NormalizedRecord } from '../../../shared/audit'

import type { AppDb, ImportedAnnotation, LedgerDelta } from './app-db'

/** What a window answers main for a pushed batch (sync or snapshot import). */
export type CommitOutcome =
  { ok: true; new: number; duplicates: number } | { ok: false; code: string; message: string }

/**
 * Commits a pushed batch (records, ledger delta, annotations) in one transaction and turns the
 * result into the answer main waits for; a full disk or quota becomes a plain-language message.
 */
export function commitPushedBatch(
  db: AppDb,
  records: NormalizedRecord[],
  ledger: LedgerDelta,
  annotations: readonly ImportedAnnotation[] = []
): Promise<CommitOutcome> {
  return db.commitBatch(records, ledger, annotations).then(
    (result) => ({ ok: true as const, new: result.new, duplicates: result.duplicates }),
    (error: unknown) => ({
      ok: false as const,
      code: error instanceof Error ? error.name : 'Error',
      message:
        error instanceof Error && error.name === 'QuotaExceededError'
          ? 'The disk is full or the browser storage quota is used up.'
          : error instanceof Error
            ? error.message
            : String(error)
    })
  )
}
