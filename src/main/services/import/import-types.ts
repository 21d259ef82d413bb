import type { HourTally } from '../../../shared/acquisition/file-coverage'
import type { NormalizedRecord } from '../../../shared/audit'
import type { EncodedRecords } from '../store/encoded-records'

/**
 * Types of the streaming audit-file import (reference/audit-events.md §12–§13).
 */

/** The file layouts the importer recognises (§12.1, §12.3). */
export type ImportFormat =
  /** Purview portal export, current layout: `RecordId,CreationDate,RecordType,Operation,UserId,AuditData,…`. */
  | 'purview-csv'
  /** Classic compliance-center export: `CreationDate,UserIds,Operations,AuditData`. */
  | 'purview-csv-classic'
  /** `Search-UnifiedAuditLog | Export-Csv`, with or without the `#TYPE` line. */
  | 'search-ual-csv'
  /** Any other CSV with an `AuditData` column (extra columns added by other tools). */
  | 'generic-csv'
  /** A JSON array of records (one Management API blob), or several arrays one after another. */
  | 'json-array'
  /** One JSON record per line. */
  | 'ndjson'
  /** JSON records one after another, pretty-printed over several lines. */
  | 'json-concatenated'

/** The text encodings the importer reads (§12.3 step 1). */
export type ImportEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252'

/** Why a row was refused. */
export type ImportRejectCode =
  | 'malformed-json'
  | 'not-an-object'
  | 'missing-id'
  | 'bad-date'
  | 'audit-data-missing'
  | 'audit-data-not-json'
  | 'malformed-csv'
  | 'truncated'
  | 'record-too-large'
  | 'unexpected-content'

/** One refused row, with the 1-based line of the file where it starts. */
export interface RejectedRow {
  line: number
  code: ImportRejectCode
  /** A specific, human-readable reason. */
  reason: string
  /** The first characters of the row, to find it in the file. */
  excerpt: string
}

/**
 * One batch of the import: accepted records and the rows refused since the previous batch.
 *
 * Records come serialized (`encoded`, what a store writes or a window receives, made in the
 * normalize workers); `records` parses them on first use, for consumers that want objects.
 */
export interface ImportBatch {
  encoded: EncodedRecords
  readonly records: NormalizedRecord[]
  rejections: RejectedRow[]
  /**
   * With the `pack` option: the records the workers accepted, packed as cache chunks, and the
   * indexes among them of repeats of an Id seen earlier in the import (counted, not to store).
   * `encoded` then carries the Ids only.
   */
  packed?: { chunks: Uint8Array[]; skip: number[] }
  /**
   * The batch's accepted records (repeats of earlier rows included) counted by tenant and UTC
   * hour, for the file's coverage windows (src/shared/acquisition/file-coverage.ts).
   */
  hours: HourTally[]
}

/**
 * The running and, once iteration has ended, final account of an import.
 *
 * `rowsRead = recordsAccepted + duplicatesCollapsed + rejectedCount` always holds: no row is
 * dropped without being counted.
 */
export interface ImportSummary {
  /** File name (or the name given for a stream), recorded as provenance. */
  source: string
  format: ImportFormat | null
  encoding: ImportEncoding | null
  /** Bytes read from the source so far. */
  bytesRead: number
  /** Data rows or records seen (CSV header, `#TYPE` line and blank lines are not rows). */
  rowsRead: number
  recordsAccepted: number
  /** Rows whose Id had been seen before in this import: counted, not yielded again. */
  duplicatesCollapsed: number
  /** Of those, how many had different raw content under the same Id (§13 rule 2 tie-breaker). */
  duplicatesWithDifferentContent: number
  rejectedCount: number
  /** The first `maxKeptRejections` rejections; every one is also delivered in its batch. */
  rejections: RejectedRow[]
  /** True when more rejections happened than `rejections` keeps. */
  isRejectionListTruncated: boolean
  /** File-level notes: encoding fallback, an unclosed JSON array, … */
  warnings: string[]
  /** True once the whole source has been read. */
  isComplete: boolean
  /** Worker threads that normalized the records (0: the calling thread did). */
  workerThreads: number
  /**
   * SHA-256 (hex) of every byte of the source, once it was read to its end, when the import
   * was asked to hash it (`hashSource`); null otherwise, and while (or when it stopped before)
   * the end.
   */
  sha256: string | null
}

/** Remembers which audit Ids an import has seen (§13 rule 2). */
export interface SeenIds {
  /**
   * Records `id` with a hash of its raw content. Returns `new` the first time, `duplicate` for
   * a repeat with the same content, `conflict` for a repeat with different content.
   */
  remember(id: string, contentHash: number): 'new' | 'duplicate' | 'conflict'
  /** How many distinct Ids are held. */
  readonly size: number
}

/** Options of an import. */
export interface ImportOptions {
  /** Records per batch; 1,000 by default. */
  batchSize?: number
  /** How many rejections the summary keeps in full; 10,000 by default. */
  maxKeptRejections?: number
  /** A record larger than this many characters is refused; 64 MiB by default. */
  maxRecordChars?: number
  /** The Id memory; an in-memory map by default (see {@link SeenIds}). */
  seenIds?: SeenIds
  /** Stops the import early; iteration then throws the signal's reason. */
  signal?: AbortSignal
  /**
   * Worker threads that read, normalize and serialize records (the file is read and cut into
   * rows, and duplicates are decided, in the calling thread). 0 runs everything in the calling
   * thread. Default: one per CPU core, at most 4, when `workerScript` is given; otherwise 0.
   */
  workers?: number
  /** Batches carry their records packed as cache chunks for a window (see ImportBatch.packed). */
  pack?: boolean
  /** The built worker entry (out/main/import-worker.js; see `findImportWorker`). */
  workerScript?: string | URL | null
  /** Each worker's young generation in MB (see RecordBatchPool); its default when absent. */
  workerYoungGenerationMb?: number
  /** Hash the source's bytes as they are read (see {@link ImportSummary.sha256}). */
  hashSource?: boolean
}

/** The codes of {@link ImportFormatError}. */
export type ImportFormatErrorCode = 'import/empty' | 'import/unknown-format' | 'import/unsupported'

/**
 * The source is not something the importer can read. The message names what was seen (the
 * first characters or header of the file) and what was expected.
 */
export class ImportFormatError extends Error {
  constructor(
    readonly code: ImportFormatErrorCode,
    message: string,
    /** What the start of the file looked like, for the message and logs. */
    readonly seen: string
  ) {
    super(message)
    this.name = 'ImportFormatError'
  }
}
