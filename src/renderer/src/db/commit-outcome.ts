import type { NormalizedRecord } from '../../../shared/audit'

import type { AppDb, ImportedAnnotation, LedgerDelta } from './app-db'

/** What a window answers main for a pushed batch (sync or snapshot import). */
export type CommitOutcome =
  { ok: true; new: number; duplicates: number } | { ok: false; code: string; message: string }

/** What the browser reports about this origin's storage (navigator.storage.estimate()). */
export interface StorageFigures {
  usage?: number
  quota?: number
}

/** The storage estimate, or null where the browser has none (tests under Node). */
export async function storageEstimate(): Promise<StorageFigures | null> {
  const storage = typeof navigator === 'undefined' ? undefined : navigator.storage
  if (!storage || typeof storage.estimate !== 'function') {
    return null
  }
  try {
    return await storage.estimate()
  } catch {
    return null
  }
}

/** Bytes as "12.3 MB". */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`
}

/**
 * The message for a batch that did not fit: what the cache uses, what is allowed, and about how
 * much more this batch needed (its raw text and columns take roughly twice the raw bytes).
 */
export function quotaMessage(
  records: readonly NormalizedRecord[] | { count: number; rawBytes: number },
  figures: StorageFigures | null
): string {
  let rawBytes = 0
  let count = 0
  if ('count' in records) {
    ;({ rawBytes, count } = records)
  } else {
    for (const record of records) {
      rawBytes += record.raw.length
    }
    count = records.length
  }
  const needed = formatBytes(Math.max(1, rawBytes * 2))
  const where =
    figures && figures.usage !== undefined && figures.quota !== undefined
      ? ` The cache uses ${formatBytes(figures.usage)} of the ${formatBytes(figures.quota)} this browser allows;`
      : ''
  return (
    `The disk is full or the browser storage quota is used up.${where} this batch of ` +
    `${count.toLocaleString()} records needed about ${needed} more. Free that much disk ` +
    'space (or clear the cache in Settings) and run it again: everything stored so far is kept ' +
    'and repeats are counted as duplicates.'
  )
}

/**
 * Commits a pushed batch (records, ledger delta, annotations) in one transaction and turns the
 * result into the answer main waits for; a full disk or quota becomes a plain-language message
 * naming the space needed. A failed commit stores nothing of its batch (one transaction).
 */
export async function commitPushedBatch(
  db: AppDb,
  records: NormalizedRecord[],
  ledger: LedgerDelta,
  annotations: readonly ImportedAnnotation[] = []
): Promise<CommitOutcome> {
  return outcomeOf(() => db.commitBatch(records, ledger, annotations), records)
}

/**
 * {@link commitPushedBatch} for a batch main packed as chunks (what sync, audit-file import and
 * snapshot import push): `count` records in `chunks`.
 */
export async function commitPushedChunks(
  db: AppDb,
  push: { chunks: readonly (Uint8Array | Blob)[]; count: number; skip?: readonly number[] },
  ledger: LedgerDelta,
  annotations: readonly ImportedAnnotation[] = []
): Promise<CommitOutcome> {
  let bytes = 0
  for (const chunk of push.chunks) {
    bytes += chunk instanceof Uint8Array ? chunk.byteLength : chunk.size
  }
  // The packed bytes are about the raw text plus the columns: half of them stands for the raw
  // text in the message's estimate.
  return outcomeOf(() => db.commitPacked(push.chunks, ledger, annotations, push.skip ?? []), {
    count: push.count,
    rawBytes: Math.ceil(bytes / 2)
  })
}

async function outcomeOf(
  commit: () => Promise<{ new: number; duplicates: number }>,
  records: readonly NormalizedRecord[] | { count: number; rawBytes: number }
): Promise<CommitOutcome> {
  try {
    const result = await commit()
    return { ok: true, new: result.new, duplicates: result.duplicates }
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error'
    const isQuota = isQuotaError(error)
    return {
      ok: false,
      code: isQuota ? 'QuotaExceededError' : name,
      message: isQuota
        ? quotaMessage(records, await storageEstimate())
        : error instanceof Error
          ? error.message
          : String(error)
    }
  }
}

/**
 * Whether a failed commit ran out of space. Dexie passes the browser's QuotaExceededError on by
 * name, or wraps it: an AbortError's `inner` (the transaction aborted because of it, possibly
 * wrapped again) or a BulkError's `failures` (one request of a bulk write refused).
 */
export function isQuotaError(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 4) {
    return false
  }
  const e = error as { name?: unknown; inner?: unknown; cause?: unknown; failures?: unknown }
  if (e.name === 'QuotaExceededError') {
    return true
  }
  const failures =
    typeof e.failures === 'object' && e.failures !== null ? Object.values(e.failures) : []
  return [e.inner, e.cause, ...failures].some((inner) => isQuotaError(inner, depth + 1))
}
