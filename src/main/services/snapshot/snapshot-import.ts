/**
 * Snapshot import for the UI (issue 6 item 7; bounds and handles: issue 10 items 4 and 6).
 *
 * The UI names a snapshot only by a one-time handle main issued for a file it was offered (a
 * dialog, the OS, a drop on the desktop window, an upload to the browser shell). Main first makes
 * a private copy (an upload already is one), verifies that copy within bounds — every part's hash,
 * the manifest, the log chain — and imports from the same copy, so the bytes imported are the
 * bytes verified even if the original changes meanwhile. A snapshot that fails is not read any
 * further. One that passes is pushed to the window in batches, each acknowledged after the window
 * committed it, like a sync (ARCHITECTURE.md "Data flow"); the ledger and the annotations travel
 * in the last batch. The private copy is deleted when the import ends.
 *
 * The per-record work — decoding each record line, normalizing its raw text again and packing
 * the records as the cache's chunks (src/shared/cache/packed-chunk.ts) — runs on the same worker
 * threads as the audit-file import (import/record-batch.ts, one per core); main only inflates
 * the records part, cuts it into lines and forwards the packed bytes in file order.
 */
import { randomUUID } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { pipeline } from 'node:stream/promises'

import type { LedgerDelta } from '../../../shared/acquisition'
import { AppError } from '../../../shared/errors'
import type { RecordAnnotation } from '../../../shared/export'
import type { SnapshotImportCounts, SnapshotVerification } from '../../../shared/ipc/contract'
import {
  DEFAULT_SNAPSHOT_LIMITS,
  SNAPSHOT_PARTS,
  type SnapshotLimits
} from '../../../shared/snapshot'
import { AckedBatches, InFlightBatches, type BatchOutcome } from '../acquisition/acked-batches'
import { PACKING_YOUNG_GENERATION_MB, RecordBatchPool } from '../import/record-batch-pool'
import type { RecordBatchOutput } from '../import/record-batch'
import type { Logger } from '../logging/logger'

import { displayName, type OfferedFile, type OfferedSnapshots } from './offered-snapshots'
import { SnapshotFormatError, SnapshotReader, verifySnapshot } from './snapshot-reader'

/** One batch of an import, pushed to the window that asked for it. */
export interface ImportBatchPush {
  importId: string
  clientId: string
  batchId: number
  /** Records in `chunks`. */
  count: number
  /** The records, packed as the cache's chunks (src/shared/cache/packed-chunk.ts), in order. */
  chunks: Uint8Array[]
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

/** Records per import batch: one full chunk of the window's cache (renderer db/record-chunk.ts). */
export const IMPORT_BATCH_RECORDS = 4096

/** Import batches sent before the first of them is acknowledged. */
export const IMPORT_BATCHES_IN_FLIGHT = 2

/** What {@link SnapshotImports} needs. */
export interface SnapshotImportsDeps {
  log: Logger
  offers: OfferedSnapshots
  /** Asks the user for a snapshot (an open dialog), or null when cancelled; absent without dialogs. */
  chooseImportPath?: () => Promise<string | null>
  onImportBatch: (push: ImportBatchPush) => void
  onImportFinish: (finish: ImportFinish) => void
  /** Records per import batch (default {@link IMPORT_BATCH_RECORDS}). */
  batchSize?: number
  /**
   * The built import worker (`findImportWorker`, out/main/import-worker.js); null or absent
   * decodes, normalizes and packs in the calling thread (tests from source).
   */
  workerScript?: string | null
  /** Worker threads (default: one per CPU core but one, at most 4). */
  workers?: number
  /** How long to wait for the window to commit a batch (default 10 minutes). */
  ackTimeoutMs?: number
  /** Bounds on reading snapshots (default {@link DEFAULT_SNAPSHOT_LIMITS}). */
  limits?: SnapshotLimits
  /** Test seam: runs between the private copy and its verification. */
  afterCopy?: (file: OfferedFile) => Promise<void>
}

interface ImportJob {
  id: string
  clientId: string
  isCancelled: boolean
  batches: AckedBatches
}

/** The verification as the contract carries it. */
export function toVerification(
  report: Awaited<ReturnType<typeof verifySnapshot>>
): SnapshotVerification {
  return {
    ok: report.ok,
    fingerprint: report.fingerprint,
    manifest: report.manifest,
    failures: report.failures.map(({ part, code, message }) => ({ part, code, message })),
    verifiedParts: report.verifiedParts
  }
}

const UNREADABLE = 'The snapshot file could not be read. Choose it again.'

/** Imports verified snapshots into the window that asks, by handle. */
export class SnapshotImports {
  private readonly imports = new Map<string, ImportJob>()

  constructor(private readonly deps: SnapshotImportsDeps) {}

  /**
   * Verifies the offered snapshot (`handle`, or the one the user picks in the open dialog) and,
   * when it passes, starts pushing it to the window `clientId`. `importId` is null when
   * verification failed; the verification says which parts and why.
   */
  async import(input: { clientId: string; handle?: string | undefined }): Promise<{
    importId: string | null
    name: string
    verification: SnapshotVerification
  }> {
    const offered = await this.offered(input.handle)
    let file: OfferedFile
    try {
      file = offered.isPrivate ? offered : await this.privateCopy(offered)
    } catch (error) {
      if (offered.isPrivate) {
        await this.deps.offers.removePrivate(offered.path)
      }
      throw error
    }
    let isStarted = false
    try {
      await this.deps.afterCopy?.(file)
      const verification = toVerification(
        await verifySnapshot(file.path, { limits: this.limits() })
      )
      if (!verification.ok) {
        this.deps.log.warn(
          `[snapshot] import refused: verification failed (${verification.failures.map((f) => f.code).join(', ')})`
        )
        return { importId: null, name: file.name, verification }
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
      isStarted = true
      void this.runImport(job, file)
      return { importId: job.id, name: file.name, verification }
    } finally {
      if (!isStarted) {
        await this.deps.offers.removePrivate(file.path)
      }
    }
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

  /** Stops every import (app shutdown). */
  cancelAll(): void {
    for (const id of [...this.imports.keys()]) {
      this.cancelImport(id)
    }
  }

  private limits(): SnapshotLimits {
    return this.deps.limits ?? DEFAULT_SNAPSHOT_LIMITS
  }

  /** The offered file for a handle, or the dialog's choice; errors never describe a path. */
  private async offered(handle: string | undefined): Promise<OfferedFile> {
    if (handle !== undefined) {
      const file = this.deps.offers.take(handle)
      if (!file) {
        throw new AppError(
          'snapshot/unknown-handle',
          'This snapshot is no longer on offer (already imported, or offered too long ago). Choose the file again.'
        )
      }
      return file
    }
    if (!this.deps.chooseImportPath) {
      throw new AppError(
        'snapshot/file-required',
        'Choose a snapshot file (or drop one here) to import.'
      )
    }
    const path = await this.deps.chooseImportPath()
    if (path === null) {
      throw new AppError('snapshot/cancelled', 'The import was cancelled.')
    }
    const info = await stat(path).catch(() => null)
    if (!info?.isFile()) {
      throw new AppError('snapshot/read-failed', UNREADABLE)
    }
    return { path, name: displayName(path), size: info.size, isPrivate: false }
  }

  /** Copies an offered file into the private folder, bounded by the snapshot file-size limit. */
  private async privateCopy(file: OfferedFile): Promise<OfferedFile> {
    const max = this.limits().maxFileBytes
    const info = await stat(file.path).catch(() => null)
    if (!info?.isFile()) {
      throw new AppError('snapshot/read-failed', UNREADABLE)
    }
    if (info.size > max) {
      throw new AppError(
        'snapshot/too-large',
        `The snapshot is ${info.size.toLocaleString('en-US')} bytes; the app reads snapshots up to ${max.toLocaleString('en-US')} bytes.`
      )
    }
    const { path, stream } = await this.deps.offers.createPrivateFile('.caxsnap')
    try {
      // `end` bounds the read even if the file grows after the stat.
      await pipeline(createReadStream(file.path, { start: 0, end: max }), stream)
      const copied = (await stat(path)).size
      if (copied > max) {
        throw new AppError(
          'snapshot/too-large',
          `The snapshot grew past ${max.toLocaleString('en-US')} bytes while it was read.`
        )
      }
      return { path, name: file.name, size: copied, isPrivate: true }
    } catch (error) {
      await this.deps.offers.removePrivate(path)
      if (error instanceof AppError) {
        throw error
      }
      this.deps.log.warn(
        `[snapshot] private copy failed: ${(error as NodeJS.ErrnoException).code ?? 'unknown'}`
      )
      throw new AppError('snapshot/read-failed', UNREADABLE)
    }
  }

  private async runImport(job: ImportJob, file: OfferedFile): Promise<void> {
    const counts: SnapshotImportCounts = {
      records: 0,
      new: 0,
      duplicates: 0,
      annotations: 0,
      ledgerEntries: 0
    }
    let reader: SnapshotReader | undefined
    let end: Omit<ImportFinish, 'importId' | 'clientId'>
    const script = this.deps.workerScript ?? null
    const pool = new RecordBatchPool(
      script === null ? 0 : (this.deps.workers ?? defaultWorkers()),
      script,
      PACKING_YOUNG_GENERATION_MB
    )
    // Batches handed to the workers, oldest first: their answers are forwarded in file order.
    const normalizing: Promise<RecordBatchOutput>[] = []
    try {
      reader = await SnapshotReader.open(file.path, this.limits())
      const ledger = await reader.ledger()
      const annotations = await reader.annotations()
      const size = this.deps.batchSize ?? IMPORT_BATCH_RECORDS
      // Enough batches at the workers to keep each busy while the window commits.
      const ahead = Math.max(1, pool.size * 2)
      const source = file.name
      // Window batches sent before the first of them is acknowledged.
      const inFlight = new InFlightBatches(IMPORT_BATCHES_IN_FLIGHT)
      const push = (
        batch: PackedBatch,
        delta: LedgerDelta,
        notes: ImportBatchPush['annotations']
      ): Promise<void> =>
        this.push(job, batch, delta, notes).then((result) => {
          counts.records += batch.count
          counts.new += result.new
          counts.duplicates += result.duplicates
        })
      const forwardOldest = async (): Promise<void> => {
        const batch = packedBatch(await normalizing.shift()!)
        if (job.isCancelled) {
          return
        }
        await inFlight.add(push(batch, { windows: [], blobs: [], queries: [] }, []))
      }
      for await (const lines of reader.recordLineBatches(size)) {
        if (job.isCancelled) {
          break
        }
        normalizing.push(
          pool.run({
            source,
            origin: 'snapshot',
            csv: null,
            texts: [],
            lines: [],
            bytes: lines.bytes,
            firstLine: lines.firstLine,
            pack: true
          })
        )
        while (normalizing.length > ahead && !job.isCancelled) {
          await forwardOldest()
        }
      }
      while (normalizing.length > 1 && !job.isCancelled) {
        await forwardOldest()
      }
      const last = normalizing.shift()
      const lastBatch = last ? packedBatch(await last) : { count: 0, chunks: [] }
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
      // The last batch carries the ledger and the annotations, so they land with the final
      // records; everything before it is committed first, so no ledger lands ahead of records.
      await inFlight.drain()
      await push(lastBatch, delta, notes)
      counts.annotations = notes.length
      counts.ledgerEntries = delta.windows.length + delta.blobs.length + delta.queries.length
      end = { status: 'complete', counts, error: null }
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
      end = {
        status: job.isCancelled ? 'cancelled' : 'failed',
        counts,
        error: { code, message }
      }
    } finally {
      for (const left of normalizing.splice(0)) {
        left.catch(() => undefined)
      }
      await pool.close()
      reader?.close()
      // The private copy is gone before the end is announced.
      await this.deps.offers.removePrivate(file.path)
    }
    this.finishImport(job, end)
  }

  private push(
    job: ImportJob,
    batch: PackedBatch,
    ledger: LedgerDelta,
    annotations: ImportBatchPush['annotations']
  ): Promise<{ new: number; duplicates: number }> {
    const { batchId, answer } = job.batches.open()
    this.deps.onImportBatch({
      importId: job.id,
      clientId: job.clientId,
      batchId,
      count: batch.count,
      chunks: batch.chunks,
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
}

/** Records of a batch as the workers packed them. */
interface PackedBatch {
  count: number
  chunks: Uint8Array[]
}

/**
 * A worker's answer as a batch for the window; a record line that does not decode or no longer
 * normalizes stops the import (a verified snapshot holds only records the app wrote).
 */
function packedBatch(output: RecordBatchOutput): PackedBatch {
  const refused = output.rejections[0]
  if (refused) {
    throw new SnapshotFormatError(SNAPSHOT_PARTS.records, refused.reason)
  }
  return { count: output.records.ids.length, chunks: output.packed ?? [] }
}

/**
 * One worker per core, at most 4. The window committing the records takes about half a core
 * (its renderer and the browser's IndexedDB), not a whole one, and the normalize worker is the
 * import's bottleneck. Measured on the 2-vCPU machine, 1M-record snapshot, two rounds
 * alternating, load average ~2, from picking the file to the import's end (upload and
 * verification included): one worker 41.0 / 40.5 s (62-63 CPU-s), two 38.3 / 37.3 s (67-69 CPU-s). An earlier measurement under a load average of ~11 (100,000 records) found two
 * no faster than one, for ~15 % more CPU: on a machine that busy the second worker costs more
 * than it saves.
 */
function defaultWorkers(): number {
  return Math.max(1, Math.min(4, availableParallelism()))
}
