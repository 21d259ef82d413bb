/**
 * The snapshot container: one zip file with these parts (reference: ARCHITECTURE.md data flow
 * step 5; what-users-want.md §4 item 9).
 */

/** The `format` value of every snapshot manifest. */
export const SNAPSHOT_FORMAT = 'cax-snapshot'

/** The manifest format version this code writes and reads. */
export const SNAPSHOT_FORMAT_VERSION = 1

/** Part names inside the zip. */
export const SNAPSHOT_PARTS = {
  /** Records, one lossless NDJSON line each (raw text preserved; see shared/export encodeRecordLine). */
  records: 'records.ndjson',
  /** The completeness ledger: a JSON array of entries. */
  ledger: 'ledger.json',
  /** Tags and comments per record Id: a JSON object. */
  annotations: 'annotations.json',
  /** Hash-chained acquisition log: one canonical JSON entry per line. */
  acquisitionLog: 'acquisition-log.ndjson',
  /** Sizes and SHA-256 of every other part, plus counts and versions. */
  manifest: 'manifest.json'
} as const

/** The parts listed in the manifest (all but the manifest itself), in write order. */
export const HASHED_PARTS: readonly string[] = [
  SNAPSHOT_PARTS.records,
  SNAPSHOT_PARTS.ledger,
  SNAPSHOT_PARTS.annotations,
  SNAPSHOT_PARTS.acquisitionLog
]

/** File extension of snapshots. */
export const SNAPSHOT_EXTENSION = '.caxsnap'
