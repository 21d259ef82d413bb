/**
 * Snapshot export and import for the UI (issue 6 item 7).
 *
 * Export: the window streams its cache to main in chunks (`export-append` waits while the bounded
 * queue is full: back-pressure), and main writes the snapshot with `writeSnapshot`, adding an
 * acquisition-log entry that says who exported it, when, and what it holds.
 *
 * Import: main verifies the file first (every part's hash, the manifest, the log chain); a
 * snapshot that fails is not read any further. One that passes is pushed to the window in
 * batches, each acknowledged after the window committed it, like a sync (ARCHITECTURE.md "Data
 * flow"); the ledger and the annotations travel in the last batch.
 */
import { randomUUID } from 'node:crypto'
import { stat } from 'node:fs/promises'
import { userInfo } from 'node:os'
import { basename, isAbsolute } from 'node:path'

import type { Ledger, LedgerDelta } from '../../shared/acquisition'
import type { NormalizedRecord } from '../../shared/audit'
import { AppError } from '../../shared/errors'
import type { RecordAnnotation } from '../../shared/export'
import type { SnapshotImportCounts, SnapshotVerification } from '../../shared/ipc/contract'
import { nextLogEntry } from '../../shared/snapshot'

import { AckedBatches, type BatchOutcome } from './acquisition/acked-batches'
import type { Logger } from './logger'
import { nodeSha256, SnapshotReader, verifySnapshot, writeSnapshot } from './snapshot'

/** Where snapshots go and come from: native dialogs in Electron, Downloads in the browser shell. */
export interface SnapshotLocations {
  /** The path to write an export to, or null when the user cancelled. */
  chooseExportPath(suggestedName: string): Promise<string | null>
  /**
   * Asks the user for a snapshot to import (an open dialog), or null when they cancelled. Absent
   * where main cannot show a dialog (browser shell): the UI must send a path.
   */
  chooseImportPath?: () => Promise<string | null>
}

/** One batch of an import, pushed to the window that asked for it. */
export interface ImportBatchPush {
  importId: string
  clientId: string
  batchId: number
  records: NormalizedRecord[]
  ledger: LedgerDelta
  annotations: (RecordAnnotation & { id: string })[]
}

/** How an import ended. */
export interface ImportFinish {
  importId: string
  clientId: string
  status: 'complete' | 'failed' | 'cancelled'
  counts: SnapshotImportCounts
  error: { code: string; message: string } | null
}

/** How the window answered an import batch. */
export type ImportBatchOutcome = BatchOutcome

/** What {@link SnapshotsService} needs: its ports, its pushes to the UI and test knobs. */
export interface SnapshotsServiceDeps {
  log: Logger
  appVersion: string
  locations: SnapshotLocations
  onImportBatch: (push: ImportBatchPush) => void
  onImportFinish: (finish: ImportFinish) => void
  /** Who exports (the OS user by default). */
  actor?: () => string
  now?: () => Date
  /** Records per import batch (default 2,000). */
  batchSize?: number
  /** Record chunks an export buffers before `append` waits (default 2). */
  queueLimit?: number
  /** How long to wait for the window to commit a batch (default 10 minutes). */
  ackTimeoutMs?: number
  /**
   * An export that receives no records for this long was abandoned (the window closed): it is
   * cancelled and its partial file removed (default 10 minutes).
   */
  exportIdleMs?: number
}

/** A bounded queue of record chunks: `push` waits while full, the reader drains it. */
class ChunkQueue {
  private readonly chunks: NormalizedRecord[][] = []
  private isClosed = false
  private failure: Error | null = null
  private wakeReader: (() => void) | null = null
  private readonly waitingWriters: (() => void)[] = []

  constructor(private readonly limit: number) {}

  async push(chunk: NormalizedRecord[]): Promise<void> {
    while (this.chunks.length >= this.limit && !this.failure && !this.isClosed) {
      await new Promise<void>((resolve) => this.waitingWriters.push(resolve))
    }
    if (this.failure) {
      throw this.failure
    }
    this.chunks.push(chunk)
    this.wake()
  }

  close(): void {
    this.isClosed = true
    this.wake()
  }

  fail(error: Error): void {
    this.failure = error
    this.wake()
  }

  async *records(): AsyncGenerator<NormalizedRecord> {
    for (;;) {
      if (this.failure) {
        throw this.failure
      }
      const chunk = this.chunks.shift()
      if (chunk) {
        this.waitingWriters.shift()?.()
        yield* chunk
        continue
      }
      if (this.isClosed) {
        return
      }
      await new Promise<void>((resolve) => (this.wakeReader = resolve))
    }
  }

  private wake(): void {
    const reader = this.wakeReader
    this.wakeReader = null
    reader?.()
    if (this.failure || this.isClosed) {
      for (const writer of this.waitingWriters.splice(0)) {
        writer()
      }
    }
  }
}

interface ExportJob {
  id: string
  path: string
  queue: ChunkQueue
  appended: number
  written: Promise<{ path: string; fingerprint: string; records: number }>
  idle: NodeJS.Timeout
}

interface ImportJob {
  id: string
  clientId: string
  isCancelled: boolean
  batches: AckedBatches
}

/**
 * Checks a snapshot path typed by the user: absolute, existing, a regular file. Returns the path;
 * throws `snapshot/invalid-path` naming what is wrong.
 */
export async function validateSnapshotPath(path: string): Promise<string> {
  if (!isAbsolute(path)) {
    throw new AppError(
      'snapshot/invalid-path',
      'Give the full path of the snapshot file (an absolute path).'
    )
  }
  let info: Awaited<ReturnType<typeof stat>>
  try {
    info = await stat(path)
  } catch {
    throw new AppError('snapshot/invalid-path', `No file at ${path}.`)
  }
  if (!info.isFile()) {
    throw new AppError('snapshot/invalid-path', `${path} is not a file.`)
  }
  return path
}

function osUser(): string {
  try {
    return userInfo().username
  } catch {
    return process.env['USER'] ?? process.env['USERNAME'] ?? 'unknown'
  }
}

function toVerification(report: Awaited<ReturnType<typeof verifySnapshot>>): SnapshotVerification {
  return {
    ok: report.ok,
    fingerprint: report.fingerprint,
    manifest: report.manifest,
    failures: report.failures.map(({ part, code, message }) => ({ part, code, message })),
    verifiedParts: report.verifiedParts
  }
}

/** Exports the UI's cache as a snapshot and imports verified snapshots into it. */
export class SnapshotsService {
  private readonly exports = new Map<string, ExportJob>()
  private readonly imports = new Map<string, ImportJob>()

  constructor(private readonly deps: SnapshotsServiceDeps) {}

  /** Picks the destination and starts the writer; records follow through {@link exportAppend}. */
  async exportBegin(input: {
    suggestedName: string
    ledger: Ledger
    annotations: Record<string, RecordAnnotation>
  }): Promise<{ exportId: string; path: string }> {
    const path = await this.deps.locations.chooseExportPath(basename(input.suggestedName))
    if (path === null) {
      throw new AppError('snapshot/cancelled', 'The export was cancelled.')
    }
    const queue = new ChunkQueue(this.deps.queueLimit ?? 2)
    const now = (this.deps.now ?? (() => new Date()))()
    const actor = (this.deps.actor ?? osUser)()
    const ledgerEntries =
      Object.keys(input.ledger.windows).length +
      Object.keys(input.ledger.blobs).length +
      Object.keys(input.ledger.queries).length
    const annotations = Object.keys(input.annotations).length
    const id = randomUUID()
    const written = writeSnapshot(path, {
      records: queue.records(),
      ledger: input.ledger,
      annotations: input.annotations,
      appVersion: this.deps.appVersion,
      createdAt: now,
      acquisitionLog: ({ records }) => [
        nextLogEntry(
          [],
          {
            at: now.toISOString(),
            actor,
            action: 'snapshot',
            source: `exported from the app (Connector Audit Explorer ${this.deps.appVersion}, local cache)`,
            parameters: { exportedFrom: 'app', file: basename(path) },
            counts: { records, annotations, ledgerEntries }
          },
          nodeSha256
        )
      ]
    }).then((result) => ({
      path: result.path,
      fingerprint: result.fingerprint,
      records: result.manifest.recordCount
    }))
    // Observed at once (a cancelled export rejects before anyone awaits it), and a failed writer
    // releases an append waiting for room.
    written.catch((error: unknown) =>
      queue.fail(error instanceof Error ? error : new Error(String(error)))
    )
    this.exports.set(id, { id, path, queue, appended: 0, written, idle: this.idleTimer(id) })
    this.deps.log.info(`[snapshot] export ${id} started`)
    return { exportId: id, path }
  }

  /** Queues a chunk of records; resolves when the queue has room again. */
  async exportAppend(exportId: string, records: NormalizedRecord[]): Promise<{ records: number }> {
    const job = this.exportJob(exportId)
    clearTimeout(job.idle)
    job.idle = this.idleTimer(exportId)
    try {
      await job.queue.push(records)
    } catch (error) {
      this.exports.delete(exportId)
      throw this.writeError(error)
    }
    job.appended += records.length
    return { records: job.appended }
  }

  /** Ends the records and waits for the file; returns where it is and its fingerprint. */
  async exportFinish(
    exportId: string
  ): Promise<{ path: string; fingerprint: string; records: number }> {
    const job = this.exportJob(exportId)
    clearTimeout(job.idle)
    job.queue.close()
    try {
      const result = await job.written
      this.deps.log.info(`[snapshot] export ${exportId} written: fingerprint ${result.fingerprint}`)
      return result
    } catch (error) {
      throw this.writeError(error)
    } finally {
      this.exports.delete(exportId)
    }
  }

  /** Stops an export; the partial file is removed. */
  async exportCancel(exportId: string): Promise<boolean> {
    const job = this.exports.get(exportId)
    if (!job) {
      return false
    }
    this.exports.delete(exportId)
    clearTimeout(job.idle)
    job.queue.fail(new AppError('snapshot/cancelled', 'The export was cancelled.'))
    await job.written.catch(() => undefined)
    this.deps.log.info(`[snapshot] export ${exportId} cancelled`)
    return true
  }

  /**
   * Verifies a snapshot and, when it passes, starts pushing it to the window `clientId`.
   * `importId` is null when verification failed; the verification says which parts and why.
   */
  async import(input: { clientId: string; path?: string | undefined }): Promise<{
    importId: string | null
    path: string
    verification: SnapshotVerification
  }> {
    let path: string
    if (input.path !== undefined) {
      path = await validateSnapshotPath(input.path)
    } else if (this.deps.locations.chooseImportPath) {
      const chosen = await this.deps.locations.chooseImportPath()
      if (chosen === null) {
        throw new AppError('snapshot/cancelled', 'The import was cancelled.')
      }
      path = await validateSnapshotPath(chosen)
    } else {
      throw new AppError('snapshot/path-required', 'Type the full path of the snapshot file.')
    }
    const verification = toVerification(await verifySnapshot(path))
    if (!verification.ok) {
      this.deps.log.warn(
        `[snapshot] import refused: verification failed (${verification.failures.map((f) => f.code).join(', ')})`
      )
      return { importId: null, path, verification }
    }
    const job: ImportJob = {
      id: randomUUID(),
      clientId: input.clientId,
      isCancelled: false,
      batches: new AckedBatches({
        ...(this.deps.ackTimeoutMs !== undefined ? { timeoutMs: this.deps.ackTimeoutMs } : {}),
        timeoutError: () =>
          new AppError(
            'snapshot/store-failed',
            'The app window did not store a batch in time (was it closed?). Import the snapshot again; records already stored are counted as duplicates.'
          ),
        commitError: (message) =>
          new AppError(
            'snapshot/store-failed',
            `The local cache could not store the records: ${message}`
          )
      })
    }
    this.imports.set(job.id, job)
    this.deps.log.info(
      `[snapshot] import ${job.id} started: fingerprint ${verification.fingerprint}`
    )
    void this.runImport(job, path)
    return { importId: job.id, path, verification }
  }

  /** The window's answer to an import batch; false for an unknown (late or foreign) answer. */
  ackImport(importId: string, batchId: number, outcome: ImportBatchOutcome): boolean {
    return this.imports.get(importId)?.batches.settle(batchId, outcome) ?? false
  }

  /** Stops an import; batches already committed stay. */
  cancelImport(importId: string): boolean {
    const job = this.imports.get(importId)
    if (!job) {
      return false
    }
    job.isCancelled = true
    job.batches.rejectAll(new AppError('snapshot/cancelled', 'The import was cancelled.'))
    return true
  }

  /** Stops every export and import (app shutdown). */
  async cancelAll(): Promise<void> {
    for (const id of [...this.imports.keys()]) {
      this.cancelImport(id)
    }
    await Promise.all([...this.exports.keys()].map((id) => this.exportCancel(id)))
  }

  private async runImport(job: ImportJob, path: string): Promise<void> {
    const counts: SnapshotImportCounts = {
      records: 0,
      new: 0,
      duplicates: 0,
      annotations: 0,
      ledgerEntries: 0
    }
    let reader: SnapshotReader | undefined
    try {
      reader = await SnapshotReader.open(path)
      const ledger = await reader.ledger()
      const annotations = await reader.annotations()
      const size = this.deps.batchSize ?? 2000
      let batch: NormalizedRecord[] = []
      const send = async (
        records: NormalizedRecord[],
        delta: LedgerDelta,
        notes: ImportBatchPush['annotations']
      ): Promise<void> => {
        const result = await this.push(job, records, delta, notes)
        counts.records += records.length
        counts.new += result.new
        counts.duplicates += result.duplicates
      }
      for await (const record of reader.records()) {
        if (job.isCancelled) {
          break
        }
        batch.push(record)
        if (batch.length >= size) {
          await send(batch, { windows: [], blobs: [], queries: [] }, [])
          batch = []
        }
      }
      if (job.isCancelled) {
        throw new AppError('snapshot/cancelled', 'The import was cancelled.')
      }
      const delta: LedgerDelta = {
        windows: Object.values(ledger.windows),
        blobs: Object.values(ledger.blobs),
        queries: Object.values(ledger.queries)
      }
      const notes = Object.entries(annotations).map(([id, a]) => ({
        id,
        tags: Array.isArray(a.tags) ? a.tags.map(String) : [],
        comment: typeof a.comment === 'string' ? a.comment : ''
      }))
      // The last batch carries the ledger and the annotations, so they land with the final records.
      await send(batch, delta, notes)
      counts.annotations = notes.length
      counts.ledgerEntries = delta.windows.length + delta.blobs.length + delta.queries.length
      this.finishImport(job, { status: 'complete', counts, error: null })
    } catch (error) {
      const code = error instanceof AppError ? error.code : 'snapshot/read-failed'
      const message =
        error instanceof Error &&
        (error instanceof AppError || error.name === 'SnapshotFormatError')
          ? error.message
          : 'The snapshot could not be read; see the log.'
      if (!(error instanceof AppError)) {
        this.deps.log.warn(
          `[snapshot] import ${job.id} failed: ${error instanceof Error ? error.name : 'unknown'}`
        )
      }
      this.finishImport(job, {
        status: job.isCancelled ? 'cancelled' : 'failed',
        counts,
        error: { code, message }
      })
    } finally {
      reader?.close()
    }
  }

  private push(
    job: ImportJob,
    records: NormalizedRecord[],
    ledger: LedgerDelta,
    annotations: ImportBatchPush['annotations']
  ): Promise<{ new: number; duplicates: number }> {
    const { batchId, answer } = job.batches.open()
    this.deps.onImportBatch({
      importId: job.id,
      clientId: job.clientId,
      batchId,
      records,
      ledger,
      annotations
    })
    return answer
  }

  private finishImport(job: ImportJob, end: Omit<ImportFinish, 'importId' | 'clientId'>): void {
    this.imports.delete(job.id)
    job.batches.clear()
    this.deps.log.info(`[snapshot] import ${job.id} ended: ${end.status}`)
    this.deps.onImportFinish({ importId: job.id, clientId: job.clientId, ...end })
  }

  private idleTimer(exportId: string): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.deps.log.warn(
        `[snapshot] export ${exportId} abandoned (no records in time); removing its partial file`
      )
      void this.exportCancel(exportId)
    }, this.deps.exportIdleMs ?? 600_000)
    timer.unref()
    return timer
  }

  private exportJob(exportId: string): ExportJob {
    const job = this.exports.get(exportId)
    if (!job) {
      throw new AppError(
        'snapshot/unknown-export',
        'This export is no longer running (finished, cancelled or failed).'
      )
    }
    return job
  }

  private writeError(error: unknown): AppError {
    if (error instanceof AppError) {
      return error
    }
    this.deps.log.warn(
      `[snapshot] export failed: ${error instanceof Error ? error.name : 'unknown'}`
    )
    return new AppError(
      'snapshot/write-failed',
      `The snapshot could not be written${error instanceof Error && 'code' in error ? ` (${String((error as NodeJS.ErrnoException).code)})` : ''}; see the log.`
    )
  }
}
