/**
 * The cache's stored shapes and constants (the rows of src/renderer/src/db/app-db.ts's tables, the
 * messages it broadcasts, what a commit takes and answers). Types only: no Dexie, no I/O.
 */
import type { LedgerBlob, LedgerQuery, LedgerWindow } from '../../../shared/acquisition'
import type { NormalizedRecord } from '../../../shared/audit'

import type { StoredColumns } from '../../../shared/cache/stored-chunk'

import type { BodyChunk, ColumnChunk } from './record-chunk'

/** The IndexedDB database name of the app (one per origin: app://explorer or the browser shell). */
export const DEFAULT_DB_NAME = 'connector-audit-explorer'

/**
 * The BroadcastChannel on which {@link AppDb.commitBatch} announces new records, so the Explorer's
 * query worker (another JavaScript context on the same origin) appends them without a reload.
 */
export const DB_CHANNEL_NAME = 'cax-db'

/** What {@link DB_CHANNEL_NAME} carries. */
export type DbChannelMessage =
  | {
      type: 'records-committed'
      dbName: string
      added: number
      /** The committing AppDb instance ({@link CommittedChunks.writer}), when it says. */
      writer?: string
    }
  | { type: 'annotations-changed'; dbName: string; ids: string[] }
  | { type: 'reset'; dbName: string }

/**
 * One cached audit record: the normalized record (grid columns, flattened `fields`, `raw`) plus
 * `seq`, the order in which the cache first received it (1, 2, 3…; the row number plus one).
 */
export interface RecordRow extends NormalizedRecord {
  seq: number
}

/**
 * What one commit of this window placed in the cache, told to {@link AppDb.onDidCommitChunks}'s
 * listeners once its transaction has completed: the column chunks now stored (numbered, in
 * order) and the cache's epoch they belong to.
 */
export interface CommittedChunks {
  dbName: string
  /**
   * The committing AppDb instance (random, per instance): its "records committed" broadcast
   * names it too, so a query worker fed these chunks can skip that broadcast.
   */
  writer: string
  epoch: string | undefined
  chunks: StoredColumns[]
}

/** The key of the one {@link CacheMeta} row. */
export const META_KEY = 'records'

/**
 * How far the chunked record store goes: committed in the same transaction as the chunks, so a
 * reader (or a second window) sees whole chunks only, and a writer detects another's commit.
 */
export interface CacheMeta {
  key: typeof META_KEY
  /** Chunks committed: chunk numbers are 0…chunks-1. */
  chunks: number
  /** Records stored (rows 0…rows-1). */
  rows: number
  /** Set when the first chunk is written, so a writer notices the cache was cleared and refilled. */
  epoch?: string
  /** Records that arrived again after they were stored, over the whole cache (per row: duplicate-counts.ts). */
  duplicates?: number
}

/** A chunk of records as read back: its columns and its raw bodies. */
export interface StoredChunk {
  columns: ColumnChunk
  body: BodyChunk
}

/** Which ledger a ledger row belongs to. */
export type LedgerKind = 'windows' | 'blobs' | 'queries'

/** A ledger entry of src/shared/acquisition (window, content blob or Graph query). */
export type LedgerEntry = LedgerWindow | LedgerBlob | LedgerQuery

/**
 * One completeness-ledger entry (acquisition window, content blob or Graph query), stored as the
 * JSON entry of the acquisition model with the columns the cache needs to find it.
 */
export interface LedgerRow<E extends LedgerEntry = LedgerEntry> {
  key: string
  tenantId: string
  status: string
  entry: E
}

/** A named filter the user saved (see explorer/saved-filters.ts for the spec's shape). */
export interface SavedFilterRow {
  id: string
  name: string
  spec: unknown
  createdAt: string
  updatedAt: string
}

/** Tags and a comment an auditor attached to one record, keyed by the record Id. */
export interface AnnotationRow {
  id: string
  tags: string[]
  comment: string
  updatedAt: string
}

/** One non-secret setting of one profile (`profileId` '' for app-wide settings). */
export interface SettingRow {
  key: string
  profileId: string
  name: string
  value: unknown
}

/**
 * The ledger delta that travels with a batch of records (src/shared/acquisition's `LedgerDelta`
 * fits; every part is optional here).
 */
export interface LedgerDelta {
  windows?: readonly LedgerWindow[]
  blobs?: readonly LedgerBlob[]
  queries?: readonly LedgerQuery[]
}

/** An annotation carried by a snapshot import, with its record Id. */
export interface ImportedAnnotation {
  id: string
  tags: readonly string[]
  comment: string
}

/** What a commit changed. */
export interface CommitResult {
  /** Records stored for the first time. */
  new: number
  /** Records whose Id was already cached (or repeated within the batch): counted, not stored. */
  duplicates: number
}
