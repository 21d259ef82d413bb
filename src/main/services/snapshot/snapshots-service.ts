/**
 * Snapshots for the UI, one service for both shells: export (snapshot-export.ts), import by
 * one-time handle (snapshot-import.ts), and the ways a file is offered to main — a dialog, the OS,
 * a file dropped on the desktop window, an upload to the browser shell (offered-snapshots.ts).
 */
import { stat } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'

import { AppError } from '../../../shared/errors'
import type { EventPayload, OfferedSnapshot } from '../../../shared/ipc/contract'
import { DEFAULT_SNAPSHOT_LIMITS, type SnapshotLimits } from '../../../shared/snapshot'

import {
  AuditFileImports,
  type AuditFileImportsDeps,
  type AuditImportBatchPush,
  type AuditImportFinish
} from '../import/audit-file-imports'
import { findImportWorker } from '../import/record-batch-pool'
import { openedFileKind } from '../open-file/open-file-kind'

import { checkOfferedPath } from './offered-path'
import { displayName, OfferedSnapshots } from './offered-snapshots'
import { openSnapshotFile } from './open-snapshot'
import { SnapshotExports, type SnapshotExportsDeps } from './snapshot-export'
import {
  SnapshotImports,
  type ImportBatchPush,
  type ImportFinish,
  type SnapshotImportsDeps
} from './snapshot-import'

export type { ImportBatchOutcome, ImportBatchPush, ImportFinish } from './snapshot-import'

/** Where snapshots go and come from: native dialogs in Electron, Downloads in the browser shell. */
export interface SnapshotLocations {
  /** The path to write an export to, or null when the user cancelled. */
  chooseExportPath(suggestedName: string): Promise<string | null>
  /**
   * The path of a review pack's snapshot (its XLSX and HTML go next to it), or null when the
   * user cancelled; without it, {@link chooseExportPath} is used.
   */
  chooseReviewPackPath?: (suggestedName: string) => Promise<string | null>
  /**
   * Asks the user for a snapshot to import (an open dialog), or null when they cancelled. Absent
   * where main cannot show a dialog (browser shell): the UI uploads the file instead.
   */
  chooseImportPath?: () => Promise<string | null>
  /** Asks the user for an audit file to import (open dialog), or null; absent without dialogs. */
  chooseAuditFilePath?: () => Promise<string | null>
}

/** What {@link SnapshotsService} needs: its ports, its pushes to the UI and test knobs. */
export interface SnapshotsServiceDeps
  extends
    Omit<SnapshotExportsDeps, 'chooseExportPath'>,
    Omit<SnapshotImportsDeps, 'offers' | 'chooseImportPath'> {
  locations: SnapshotLocations
  /** Private folder for snapshot uploads and the copies snapshot imports read (data folder). */
  privateDir: string
  /**
   * Private folder for uploaded audit files (data folder). Its own, so neither kind's clean-up
   * touches the other's files; both hold only files of a running import (or leftovers swept
   * after a day), so nothing needs moving between them.
   */
  auditPrivateDir: string
  /**
   * Whether the UI may offer a dropped file's path (desktop: the preload reads it from a File
   * the user dropped). False in the browser shell, whose files arrive as uploads.
   */
  acceptsDroppedPaths: boolean
  /** The platform whose path rules apply (default: this one). */
  platform?: NodeJS.Platform
  onImportBatch: (push: ImportBatchPush) => void
  onImportFinish: (finish: ImportFinish) => void
  /** Batches and ends of audit-file imports (CSV, JSON, NDJSON exports). */
  onAuditImportBatch: (push: AuditImportBatchPush) => void
  onAuditImportFinish: (finish: AuditImportFinish) => void
  /** Writes an ended audit-file import to the acquisition log. */
  recordImport?: AuditFileImportsDeps['recordImport']
  /** Which shell runs (`desktop`, `browser`), for the acquisition log. */
  shell?: string
}

/** What an offered file is for: a snapshot, or an audit export (CSV, JSON, NDJSON). */
export type OfferKind = 'snapshot' | 'audit-file'

const NOT_A_SNAPSHOT_FILE =
  'Only a .caxsnap snapshot file on this computer can be imported: drop or choose one.'

const NOT_A_LOCAL_FILE = 'Only a file on this computer can be imported: drop or choose one.'

/** Exports the UI's cache as a snapshot and imports verified snapshots into it. */
export class SnapshotsService {
  private readonly exportsJobs: SnapshotExports
  private readonly importJobs: SnapshotImports
  private readonly auditImports: AuditFileImports
  /** The snapshot files main was offered, by one-time handle. */
  readonly offers: OfferedSnapshots
  /** The audit files main was offered, by one-time handle (a snapshot handle is not one). */
  readonly auditOffers: OfferedSnapshots

  constructor(private readonly deps: SnapshotsServiceDeps) {
    this.offers = new OfferedSnapshots({ privateDir: deps.privateDir, log: deps.log })
    void this.offers.sweep()
    this.auditOffers = new OfferedSnapshots({ privateDir: deps.auditPrivateDir, log: deps.log })
    void this.auditOffers.sweep()
    this.exportsJobs = new SnapshotExports({
      ...deps,
      chooseExportPath: (name) => deps.locations.chooseExportPath(name)
    })
    this.importJobs = new SnapshotImports({
      workerScript: findImportWorker(import.meta.url),
      ...deps,
      offers: this.offers,
      ...(deps.locations.chooseImportPath
        ? { chooseImportPath: deps.locations.chooseImportPath }
        : {})
    })
    this.auditImports = new AuditFileImports({
      log: deps.log,
      onImportBatch: deps.onAuditImportBatch,
      onImportFinish: deps.onAuditImportFinish,
      removePrivate: (path) => this.auditOffers.removePrivate(path),
      workerScript: findImportWorker(import.meta.url),
      ...(deps.recordImport ? { recordImport: deps.recordImport } : {}),
      ...(deps.shell !== undefined ? { shell: deps.shell } : {}),
      ...(deps.batchSize !== undefined ? { batchSize: deps.batchSize } : {}),
      ...(deps.ackTimeoutMs !== undefined ? { ackTimeoutMs: deps.ackTimeoutMs } : {})
    })
  }

  /** See {@link SnapshotExports.exportBegin}. */
  exportBegin(
    input: Parameters<SnapshotExports['exportBegin']>[0]
  ): ReturnType<SnapshotExports['exportBegin']> {
    return this.exportsJobs.exportBegin(input)
  }

  /** See {@link SnapshotExports.exportAppend}. */
  exportAppend(
    ...args: Parameters<SnapshotExports['exportAppend']>
  ): ReturnType<SnapshotExports['exportAppend']> {
    return this.exportsJobs.exportAppend(...args)
  }

  /** See {@link SnapshotExports.exportFinish}. */
  exportFinish(exportId: string): ReturnType<SnapshotExports['exportFinish']> {
    return this.exportsJobs.exportFinish(exportId)
  }

  /** See {@link SnapshotExports.exportCancel}. */
  exportCancel(exportId: string): Promise<boolean> {
    return this.exportsJobs.exportCancel(exportId)
  }

  /** See {@link SnapshotImports.import}. */
  import(input: Parameters<SnapshotImports['import']>[0]): ReturnType<SnapshotImports['import']> {
    return this.importJobs.import(input)
  }

  /** See {@link SnapshotImports.ackImport}. */
  ackImport(...args: Parameters<SnapshotImports['ackImport']>): boolean {
    return this.importJobs.ackImport(...args)
  }

  /** See {@link SnapshotImports.cancelImport}. */
  cancelImport(importId: string): boolean {
    return this.importJobs.cancelImport(importId)
  }

  /**
   * Imports an offered audit file (`handle`, or the one the user picks in the open dialog) into
   * the window `clientId`; see {@link AuditFileImports}.
   */
  async importAuditFile(input: {
    clientId: string
    handle?: string | undefined
  }): Promise<{ importId: string; name: string }> {
    if (input.handle !== undefined) {
      const file = this.auditOffers.take(input.handle)
      if (!file) {
        throw new AppError(
          'import/unknown-handle',
          'This file is no longer on offer (already imported, or offered too long ago). Choose it again.'
        )
      }
      return this.auditImports.start({ clientId: input.clientId, file })
    }
    const choose = this.deps.locations.chooseAuditFilePath
    if (!choose) {
      throw new AppError('import/file-required', 'Choose an audit file (or drop one here).')
    }
    const path = await choose()
    if (path === null) {
      throw new AppError('import/cancelled', 'The import was cancelled.')
    }
    const info = await stat(path).catch(() => null)
    if (!info?.isFile()) {
      throw new AppError('import/read-failed', 'The file could not be read. Choose it again.')
    }
    return this.auditImports.start({
      clientId: input.clientId,
      file: { path, name: displayName(path), size: info.size, isPrivate: false }
    })
  }

  /** See {@link AuditFileImports.ack}. */
  ackAuditImport(...args: Parameters<AuditFileImports['ack']>): boolean {
    return this.auditImports.ack(...args)
  }

  /** See {@link AuditFileImports.cancel}. */
  cancelAuditImport(importId: string): boolean {
    return this.auditImports.cancel(importId)
  }

  /**
   * Offers a file the user dropped on the desktop window (its path read by the preload). Main
   * checks it is a local, absolute `.caxsnap` path (UNC and device paths refused on Windows)
   * naming a regular file, and issues a handle. Every refusal has the same message, so the
   * answer says nothing about whether some path exists.
   */
  async offerDroppedPath(path: string, kind: OfferKind = 'snapshot'): Promise<OfferedSnapshot> {
    if (!this.deps.acceptsDroppedPaths) {
      throw new AppError(
        'snapshot/not-available',
        'This shell takes snapshot files as uploads, not paths.'
      )
    }
    const checked = checkOfferedPath(path, this.deps.platform ?? process.platform, {
      anyExtension: kind === 'audit-file'
    })
    const info = checked.ok ? await stat(checked.path).catch(() => null) : null
    if (!checked.ok || !info?.isFile()) {
      this.deps.log.warn(
        `[snapshot] dropped file refused: ${checked.ok ? 'not a regular file' : checked.reason}`
      )
      throw kind === 'snapshot'
        ? new AppError('snapshot/invalid-file', NOT_A_SNAPSHOT_FILE)
        : new AppError('import/invalid-file', NOT_A_LOCAL_FILE)
    }
    const name = displayName(checked.path)
    const handle = this.offersOf(kind).offer({
      path: checked.path,
      name,
      size: info.size,
      isPrivate: false
    })
    return { handle, name, size: info.size }
  }

  /**
   * Receives an upload (browser shell) into a new private file, at most `declaredSize` bytes and
   * never more than the snapshot file-size limit, and issues a handle for it. Nothing is verified
   * or imported here: the import verifies the file first.
   */
  async receiveUpload(
    body: Readable,
    input: { name: string; declaredSize: number; kind?: OfferKind }
  ): Promise<OfferedSnapshot> {
    const isSnapshot = (input.kind ?? 'snapshot') === 'snapshot'
    // Snapshots are bounded by the snapshot file-size limit; audit files only by the disk.
    const max = isSnapshot ? this.limits().maxFileBytes : Number.POSITIVE_INFINITY
    if (input.declaredSize > max) {
      throw new AppError(
        'snapshot/too-large',
        `The snapshot is ${input.declaredSize.toLocaleString('en-US')} bytes; the app reads snapshots up to ${max.toLocaleString('en-US')} bytes.`
      )
    }
    const offers = this.offersOf(isSnapshot ? 'snapshot' : 'audit-file')
    const uploadFailed = isSnapshot ? 'snapshot/upload-failed' : 'import/upload-failed'
    const { path, stream } = await offers.createPrivateFile(isSnapshot ? '.caxsnap' : '.upload')
    let received = 0
    try {
      await pipeline(
        body,
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            received += chunk.length
            if (received > input.declaredSize) {
              throw new AppError(uploadFailed, 'The upload is longer than it declared.')
            }
            yield chunk
          }
        },
        stream
      )
      if (received !== input.declaredSize) {
        throw new AppError(uploadFailed, 'The upload ended early; try again.')
      }
    } catch (error) {
      await offers.removePrivate(path)
      throw error instanceof AppError
        ? error
        : new AppError(uploadFailed, 'The upload was interrupted; try again.')
    }
    const name = displayName(input.name)
    const handle = offers.offer({ path, name, size: received, isPrivate: true })
    this.deps.log.info(`[${isSnapshot ? 'snapshot' : 'import'}] upload received: ${received} bytes`)
    return { handle, name, size: received }
  }

  /**
   * A file opened from the OS (double-click, "Open with", File → Open, a second launch), routed
   * by its content (open-file/open-file-kind.ts): a snapshot is verified and, when it passed, offered for
   * the snapshot import ({@link openFromOs}); an audit export is offered for the audit-file
   * import. Null for a file that is neither (or is not a file): nothing is offered.
   */
  async openedFromOs(
    path: string
  ): Promise<
    | { kind: 'snapshot'; opened: EventPayload<'snapshots:did-open'> }
    | { kind: 'audit-file'; offered: OfferedSnapshot }
    | null
  > {
    const kind = await openedFileKind(path)
    if (kind === 'snapshot') {
      return { kind, opened: await this.openFromOs(path) }
    }
    if (kind === null) {
      this.deps.log.info('[open] a file opened from the OS is neither a snapshot nor an audit file')
      return null
    }
    const size = (await stat(path).catch(() => null))?.size ?? 0
    const name = displayName(path)
    const handle = this.auditOffers.offer({ path, name, size, isPrivate: false })
    return { kind, offered: { handle, name, size } }
  }

  /**
   * A snapshot opened from the OS (double-click, File → Open, a second launch): verified, and
   * offered under a handle when it passed, so the UI can import it.
   */
  async openFromOs(path: string): Promise<EventPayload<'snapshots:did-open'>> {
    const payload = await openSnapshotFile(path, this.deps.log, this.limits())
    if (!payload.verification.ok) {
      return payload
    }
    const size = (await stat(path).catch(() => null))?.size ?? 0
    return {
      ...payload,
      handle: this.offers.offer({ path, name: displayName(path), size, isPrivate: false })
    }
  }

  /** Stops every export and import and drops every offer (app shutdown). */
  async cancelAll(): Promise<void> {
    this.importJobs.cancelAll()
    this.auditImports.cancelAll()
    await this.exportsJobs.cancelAll()
    await this.offers.clear()
    await this.auditOffers.clear()
  }

  private offersOf(kind: OfferKind): OfferedSnapshots {
    return kind === 'snapshot' ? this.offers : this.auditOffers
  }

  private limits(): SnapshotLimits {
    return this.deps.limits ?? DEFAULT_SNAPSHOT_LIMITS
  }
}
