/**
 * In-app import of audit files (issue 13 item 1, main side): a Purview / Search-UnifiedAuditLog
 * CSV, a JSON array, NDJSON or a Management API blob dump that main was offered (a dialog, a
 * drop, an upload) is read by the streaming importer (import-audit-file.ts, worker threads) and
 * pushed to the window that asked for it in acknowledged batches, like a snapshot import
 * (snapshot-import.ts): the window commits each batch into its cache and answers, and main sends
 * the next one only then (two in flight). Every batch carries its rejected rows and the progress
 * so far (bytes of the file, rows), from which the UI shows rows/s and an ETA. Cancelling stops
 * the reading; what the window committed stays, and the finish says how much.
 *
 * Each batch carries the ledger windows of the hours its records fall in (source `file`,
 * src/shared/acquisition/file-coverage.ts), committed with the records, so coverage shows them
 * as imported from a file. When an import ends, complete or not, it is written to the app's
 * acquisition log: the file (name, size, SHA-256 when read to its end), its format, the counts
 * and the time span of the records the window stored.
 */
import { randomUUID } from 'node:crypto'
import { userInfo } from 'node:os'

import { FileCoverage, type LedgerDelta } from '../../../shared/acquisition'
import { packedTimes, packRecords } from '../../../shared/cache/packed-chunk'
import { AppError } from '../../../shared/errors'
import { AckedBatches, InFlightBatches, type BatchOutcome } from '../acquisition/acked-batches'
import type { Logger } from '../logging/logger'
import type { AcquisitionLogInput } from '../../../shared/snapshot'
import type { OfferedFile } from '../snapshot/offered-snapshots'

import { importAuditFile } from './import-audit-file'
import type { ImportFormat, ImportFormatError, RejectedRow } from './import-types'
import { PACKING_YOUNG_GENERATION_MB } from './record-batch-pool'

/** How far an import has come, for a progress bar. */
export interface AuditImportProgress {
  bytesRead: number
  totalBytes: number
  rowsRead: number
}

/** One batch of an audit-file import, pushed to the window that asked for it. */
export interface AuditImportBatchPush {
  importId: string
  clientId: string
  batchId: number
  /** Records to store: those in `chunks` but the `skip` ones. */
  count: number
  /** The records the workers accepted, packed as cache chunks (src/shared/cache/packed-chunk.ts). */
  chunks: Uint8Array[]
  /** Indexes (over all rows of `chunks`) of repeats of an Id seen earlier in the file: not stored. */
  skip: number[]
  /** The file windows of the hours these records fall in, to commit with them. */
  ledger: LedgerDelta
  /** Rows of the file refused since the previous batch, in line order. */
  rejections: RejectedRow[]
  progress: AuditImportProgress
}

/** What an audit-file import did. */
export interface AuditImportCounts {
  /** Data rows or records read from the file. */
  rowsRead: number
  /** Records the window committed (`new` + `alreadyCached`). */
  committed: number
  /** Of those, records the cache did not hold yet. */
  new: number
  /** Of those, records the cache already held (an earlier import or sync). */
  alreadyCached: number
  /** Rows whose Id appeared earlier in the same file: counted, not sent. */
  duplicatesInFile: number
  rejected: number
}

/** How an audit-file import ended. */
export interface AuditImportFinish {
  importId: string
  clientId: string
  /** The file's name, as the rejections list names it. */
  name: string
  status: 'complete' | 'failed' | 'cancelled'
  format: ImportFormat | null
  counts: AuditImportCounts
  /** File-level notes (encoding fallback, an unclosed JSON array…). */
  warnings: string[]
  error: { code: string; message: string } | null
  /** SHA-256 of the file, when it was read to its end. */
  sha256: string | null
  /** Event times of the first and last record the window stored, or null when none. */
  span: { first: string; last: string } | null
}

/** What {@link AuditFileImports} needs. */
export interface AuditFileImportsDeps {
  log: Logger
  onImportBatch: (push: AuditImportBatchPush) => void
  onImportFinish: (finish: AuditImportFinish) => void
  /** Deletes a private file (an upload) once its import has ended. */
  removePrivate: (path: string) => Promise<void>
  /** The built normalize worker (`findImportWorker`); null normalizes in the main thread. */
  workerScript?: string | null
  /** Records per batch (default 4,096: one chunk of the window's cache). */
  batchSize?: number
  /** How long to wait for the window to commit a batch (default 10 minutes). */
  ackTimeoutMs?: number
  /** Writes an ended import to the acquisition log (app-acquisition-log.ts). */
  recordImport?: (entry: AcquisitionLogInput) => Promise<unknown>
  /** Who imports, for the acquisition log (default: the OS user). */
  actor?: () => string
  /** Which shell runs the import (`desktop`, `browser`), for the acquisition log. */
  shell?: string
  now?: () => Date
}

interface Job {
  id: string
  clientId: string
  abort: AbortController
  batches: AckedBatches
}

const BATCH_RECORDS = 4096
const BATCHES_IN_FLIGHT = 2

/** Imports offered audit files into the window that asks. */
export class AuditFileImports {
  private readonly jobs = new Map<string, Job>()

  constructor(private readonly deps: AuditFileImportsDeps) {}

  /** Starts importing `file` into the window `clientId`; the batches follow as pushes. */
  start(input: { clientId: string; file: OfferedFile }): { importId: string; name: string } {
    const job: Job = {
      id: randomUUID(),
      clientId: input.clientId,
      abort: new AbortController(),
      batches: new AckedBatches({
        ...(this.deps.ackTimeoutMs !== undefined ? { timeoutMs: this.deps.ackTimeoutMs } : {}),
        timeoutError: () =>
          new AppError(
            'import/store-failed',
            'The app window did not store a batch in time (was it closed?). Import the file again; records already stored are counted as duplicates.'
          ),
        commitError: (message) =>
          new AppError(
            'import/store-failed',
            `The local cache could not store the records: ${message}`
          )
      })
    }
    this.jobs.set(job.id, job)
    this.deps.log.info(`[import] audit file import ${job.id} started`)
    void this.run(job, input.file)
    return { importId: job.id, name: input.file.name }
  }

  /** The window's answer to a batch; false for an unknown (late or foreign) answer. */
  ack(importId: string, batchId: number, outcome: BatchOutcome): boolean {
    return this.jobs.get(importId)?.batches.settle(batchId, outcome) ?? false
  }

  /** Stops an import; batches the window already committed stay. */
  cancel(importId: string): boolean {
    const job = this.jobs.get(importId)
    if (!job) {
      return false
    }
    const cancelled = new AppError('import/cancelled', 'The import was cancelled.')
    job.abort.abort(cancelled)
    job.batches.rejectAll(cancelled)
    return true
  }

  /** Stops every import (app shutdown). */
  cancelAll(): void {
    for (const id of [...this.jobs.keys()]) {
      this.cancel(id)
    }
  }

  private async run(job: Job, file: OfferedFile): Promise<void> {
    const counts: AuditImportCounts = {
      rowsRead: 0,
      committed: 0,
      new: 0,
      alreadyCached: 0,
      duplicatesInFile: 0,
      rejected: 0
    }
    const startedAt = this.now()
    const reading = importAuditFile(file.path, {
      signal: job.abort.signal,
      batchSize: this.deps.batchSize ?? BATCH_RECORDS,
      workerScript: this.deps.workerScript ?? null,
      // Every rejection travels in its batch; the summary need not keep them too.
      maxKeptRejections: 0,
      hashSource: true,
      // The workers pack each batch as the window's cache chunks: main only forwards bytes.
      pack: true,
      workerYoungGenerationMb: PACKING_YOUNG_GENERATION_MB
    })
    const summary = reading.summary
    const inFlight = new InFlightBatches(BATCHES_IN_FLIGHT)
    const covered = new FileCoverage({
      importKey: job.id,
      name: file.name,
      at: startedAt.toISOString()
    })
    const stored = { first: Number.POSITIVE_INFINITY, last: Number.NEGATIVE_INFINITY }
    let end: Pick<AuditImportFinish, 'status' | 'error'>
    try {
      for await (const batch of reading) {
        const count = batch.encoded.ids.length
        const packed = batch.packed ?? { chunks: packRecords(batch.records), skip: [] }
        const { batchId, answer } = job.batches.open()
        this.deps.onImportBatch({
          importId: job.id,
          clientId: job.clientId,
          batchId,
          count,
          chunks: packed.chunks,
          skip: packed.skip,
          ledger: { windows: covered.add(batch.hours), blobs: [], queries: [] },
          rejections: batch.rejections,
          progress: {
            bytesRead: summary.bytesRead,
            totalBytes: file.size,
            rowsRead: summary.rowsRead
          }
        })
        await inFlight.add(
          answer.then((result) => {
            counts.committed += count
            counts.new += result.new
            counts.alreadyCached += result.duplicates
            const skipped = new Set(packed.skip)
            let row = 0
            for (const chunk of packed.chunks) {
              for (const time of packedTimes(chunk)) {
                if (!skipped.has(row++) && !Number.isNaN(time)) {
                  stored.first = Math.min(stored.first, time)
                  stored.last = Math.max(stored.last, time)
                }
              }
            }
          })
        )
      }
      await inFlight.drain()
      end = { status: 'complete', error: null }
    } catch (error) {
      await inFlight.settle()
      const isCancelled = job.abort.signal.aborted
      end = { status: isCancelled ? 'cancelled' : 'failed', error: describe(error) }
      if (!isCancelled && !(error instanceof AppError) && !isFormatError(error)) {
        this.deps.log.warn(
          `[import] audit file import ${job.id} failed: ${error instanceof Error ? error.name : 'unknown'}`
        )
      }
    } finally {
      if (file.isPrivate) {
        await this.deps.removePrivate(file.path)
      }
    }
    counts.rowsRead = summary.rowsRead
    counts.duplicatesInFile = summary.duplicatesCollapsed
    counts.rejected = summary.rejectedCount
    this.jobs.delete(job.id)
    job.batches.clear()
    this.deps.log.info(
      `[import] audit file import ${job.id} ended: ${end.status} (${counts.committed} committed, ${counts.rejected} rejected)`
    )
    const finish: AuditImportFinish = {
      importId: job.id,
      clientId: job.clientId,
      name: file.name,
      format: summary.format,
      warnings: summary.warnings,
      counts,
      ...end,
      sha256: end.status === 'complete' ? summary.sha256 : null,
      span: Number.isFinite(stored.first)
        ? { first: new Date(stored.first).toISOString(), last: new Date(stored.last).toISOString() }
        : null
    }
    await this.deps.recordImport?.(this.logEntry(finish, file.size, summary.encoding, startedAt))
    this.deps.onImportFinish(finish)
  }

  /** The acquisition-log entry of an ended import. */
  private logEntry(
    finish: AuditImportFinish,
    size: number,
    encoding: string | null,
    startedAt: Date
  ): AcquisitionLogInput {
    const c = finish.counts
    return {
      at: this.now().toISOString(),
      actor: (this.deps.actor ?? osUser)(),
      action: 'import',
      source: finish.name,
      parameters: {
        file: finish.name,
        bytes: size,
        sha256: finish.sha256,
        format: finish.format,
        encoding,
        status: finish.status,
        ...(finish.error ? { error: finish.error.code } : {}),
        shell: this.deps.shell ?? 'desktop',
        startedAt: startedAt.toISOString(),
        firstRecordAt: finish.span?.first ?? null,
        lastRecordAt: finish.span?.last ?? null
      },
      counts: {
        rows: c.rowsRead,
        stored: c.new,
        committed: c.committed,
        alreadyCached: c.alreadyCached,
        duplicatesInFile: c.duplicatesInFile,
        duplicates: c.alreadyCached + c.duplicatesInFile,
        rejected: c.rejected
      }
    }
  }

  private now(): Date {
    return (this.deps.now ?? (() => new Date()))()
  }
}

function osUser(): string {
  try {
    return userInfo().username
  } catch {
    return process.env['USER'] ?? process.env['USERNAME'] ?? 'unknown'
  }
}

function isFormatError(error: unknown): error is ImportFormatError {
  return error instanceof Error && error.name === 'ImportFormatError'
}

/** The error as the UI may see it: ours and format errors speak for themselves, others do not. */
function describe(error: unknown): { code: string; message: string } {
  if (error instanceof AppError) {
    return { code: error.code, message: error.message }
  }
  if (isFormatError(error)) {
    return { code: error.code, message: error.message }
  }
  return { code: 'import/read-failed', message: 'The file could not be read; see the log.' }
}
