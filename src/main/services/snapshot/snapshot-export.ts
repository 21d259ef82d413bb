/**
 * Snapshot export for the UI: the window streams its cache to main in chunks (`append` waits while
 * the bounded queue is full: back-pressure), and main writes the snapshot with `writeSnapshot`,
 * adding an acquisition-log entry that says who exported it, when, and what it holds.
 */
import { randomUUID } from 'node:crypto'
import { userInfo } from 'node:os'
import { basename } from 'node:path'

import type { Ledger } from '../../../shared/acquisition'
import type { NormalizedRecord } from '../../../shared/audit'
import { AppError } from '../../../shared/errors'
import type { RecordAnnotation } from '../../../shared/export'
import { nextLogEntry } from '../../../shared/snapshot'
import type { Logger } from '../logging/logger'

import { nodeSha256 } from './node-sha256'
import { writeSnapshot } from './snapshot-writer'

/** What {@link SnapshotExports} needs. */
export interface SnapshotExportsDeps {
  log: Logger
  appVersion: string
  /** The path to write an export to, or null when the user cancelled. */
  chooseExportPath: (suggestedName: string) => Promise<string | null>
  /** Who exports (the OS user by default). */
  actor?: () => string
  now?: () => Date
  /** Record chunks an export buffers before `append` waits (default 2). */
  queueLimit?: number
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

function osUser(): string {
  try {
    return userInfo().username
  } catch {
    return process.env['USER'] ?? process.env['USERNAME'] ?? 'unknown'
  }
}

/** Exports the UI's cache as snapshots, one job per export. */
export class SnapshotExports {
  private readonly exports = new Map<string, ExportJob>()

  constructor(private readonly deps: SnapshotExportsDeps) {}

  /** Picks the destination and starts the writer; records follow through {@link exportAppend}. */
  async exportBegin(input: {
    suggestedName: string
    ledger: Ledger
    annotations: Record<string, RecordAnnotation>
  }): Promise<{ exportId: string; path: string }> {
    const path = await this.deps.chooseExportPath(basename(input.suggestedName))
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

  /** Stops every export (app shutdown). */
  async cancelAll(): Promise<void> {
    await Promise.all([...this.exports.keys()].map((id) => this.exportCancel(id)))
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
