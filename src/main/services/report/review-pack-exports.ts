/**
 * Review packs from the app: the window streams the records of its current view (with their
 * annotations and the cache's ledger) to main, which first writes them as a snapshot — the
 * verifiable evidence the pack ties back to — then verifies that snapshot and makes the pack from
 * it exactly as `cax report --snapshot` does: the same XLSX and the same printable HTML, whose
 * cover carries the snapshot's fingerprint. The three files share one name:
 * `<name>.caxsnap`, `<name>.xlsx`, `<name>.html`.
 */
import type { Ledger } from '../../../shared/acquisition'
import type { NormalizedRecord } from '../../../shared/audit'
import { AppError } from '../../../shared/errors'
import { resolveTimeZone } from '../../../shared/export'
import type { RecordAnnotation } from '../../../shared/export'
import type { GovernanceSettings } from '../../../shared/governance'
import { SNAPSHOT_EXTENSION } from '../../../shared/snapshot'
import type { Logger } from '../logging/logger'
import { SnapshotExports } from '../snapshot/snapshot-export'
import { SnapshotReader, verifySnapshot } from '../snapshot/snapshot-reader'

import { writeReviewPack } from './review-pack-writer'

/** What {@link ReviewPackExports} needs. */
export interface ReviewPackExportsDeps {
  log: Logger
  appVersion: string
  /** Where the pack's snapshot goes (`….caxsnap`), or null when the user cancelled. */
  chooseExportPath: (suggestedName: string) => Promise<string | null>
  now?: () => Date
  /** See SnapshotExportsDeps.exportIdleMs. */
  exportIdleMs?: number
}

/** What a finished pack wrote. */
export interface ReviewPackWritten {
  snapshotPath: string
  fingerprint: string
  xlsxPath: string
  htmlPath: string
  records: number
  resources: number
  findings: number
}

interface PackJob {
  snapshotPath: string
  settings: GovernanceSettings
  timeZone: 'utc' | 'local'
}

/** `x.caxsnap` → `x`; any other name is kept whole. */
function stemOf(path: string): string {
  return path.toLowerCase().endsWith(SNAPSHOT_EXTENSION)
    ? path.slice(0, -SNAPSHOT_EXTENSION.length)
    : path
}

/** Writes review packs from the UI's records, one job per pack. */
export class ReviewPackExports {
  private readonly snapshots: SnapshotExports
  private readonly jobs = new Map<string, PackJob>()

  constructor(private readonly deps: ReviewPackExportsDeps) {
    this.snapshots = new SnapshotExports({
      log: deps.log,
      appVersion: deps.appVersion,
      chooseExportPath: deps.chooseExportPath,
      ...(deps.now ? { now: deps.now } : {}),
      ...(deps.exportIdleMs !== undefined ? { exportIdleMs: deps.exportIdleMs } : {})
    })
  }

  /** Picks where the pack goes and starts its snapshot; records follow through {@link append}. */
  async begin(input: {
    suggestedName: string
    ledger: Ledger
    annotations: Record<string, RecordAnnotation>
    settings: GovernanceSettings
    timeZone: 'utc' | 'local'
  }): Promise<{ packId: string; path: string }> {
    const { exportId, path } = await this.snapshots.exportBegin({
      suggestedName: input.suggestedName,
      ledger: input.ledger,
      annotations: input.annotations
    })
    this.jobs.set(exportId, {
      snapshotPath: path,
      settings: input.settings,
      timeZone: input.timeZone
    })
    this.deps.log.info(`[report] pack ${exportId} started`)
    return { packId: exportId, path: stemOf(path) }
  }

  /** Hands over the next records; resolves once the snapshot writer has room. */
  append(packId: string, records: NormalizedRecord[]): Promise<{ records: number }> {
    this.job(packId)
    return this.snapshots.exportAppend(packId, records)
  }

  /** Ends the records: writes the snapshot, verifies it, then the XLSX and HTML from it. */
  async finish(packId: string): Promise<ReviewPackWritten> {
    const job = this.job(packId)
    this.jobs.delete(packId)
    const snapshot = await this.snapshots.exportFinish(packId)
    const verification = await verifySnapshot(snapshot.path, {
      expectedFingerprint: snapshot.fingerprint
    })
    if (!verification.ok || verification.fingerprint === null) {
      throw new AppError(
        'snapshot/write-failed',
        `The pack's snapshot ${snapshot.path} did not verify (${verification.failures
          .map((f) => `${f.part}: ${f.message}`)
          .join('; ')}); no pack was written.`
      )
    }
    const stem = stemOf(snapshot.path)
    const xlsxPath = `${stem}.xlsx`
    const htmlPath = `${stem}.html`
    const reader = await SnapshotReader.open(snapshot.path)
    try {
      const result = await writeReviewPack(
        {
          records: () => reader.records(),
          ledger: await reader.ledger(),
          annotations: await reader.annotations(),
          origin: {
            kind: 'snapshot',
            path: snapshot.path,
            fingerprint: verification.fingerprint,
            verification: `intact: ${verification.verifiedParts.length} parts verified, fingerprint as written`,
            snapshotCreatedAt: reader.manifest.createdAt
          }
        },
        {
          xlsxPath,
          htmlPath,
          timeZone: resolveTimeZone(job.timeZone === 'utc' ? 'UTC' : 'local'),
          settings: job.settings,
          appVersion: this.deps.appVersion,
          ...(this.deps.now ? { now: this.deps.now() } : {})
        }
      )
      this.deps.log.info(`[report] pack ${packId} written: fingerprint ${snapshot.fingerprint}`)
      return {
        snapshotPath: snapshot.path,
        fingerprint: verification.fingerprint,
        xlsxPath: result.xlsx.file.path,
        htmlPath: result.html?.path ?? htmlPath,
        records: result.model.recordCount,
        resources: result.model.resources.length,
        findings: result.model.findings.reduce((n, f) => n + f.count, 0)
      }
    } catch (error) {
      if (error instanceof AppError) {
        throw error
      }
      this.deps.log.warn(
        `[report] pack ${packId} failed: ${error instanceof Error ? error.name : 'unknown'}`
      )
      throw new AppError(
        'snapshot/write-failed',
        `The review pack could not be written next to ${snapshot.path}${error instanceof Error && 'code' in error ? ` (${String((error as NodeJS.ErrnoException).code)})` : ''}; see the log.`
      )
    } finally {
      reader.close()
    }
  }

  /** Stops a pack; the partial snapshot is removed. */
  async cancel(packId: string): Promise<boolean> {
    this.jobs.delete(packId)
    return this.snapshots.exportCancel(packId)
  }

  /** Stops every pack (app shutdown). */
  async cancelAll(): Promise<void> {
    this.jobs.clear()
    await this.snapshots.cancelAll()
  }

  private job(packId: string): PackJob {
    const job = this.jobs.get(packId)
    if (!job) {
      throw new AppError(
        'snapshot/unknown-export',
        'This review pack is no longer being made (finished, cancelled or failed).'
      )
    }
    return job
  }
}
