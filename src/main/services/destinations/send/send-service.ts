/**
 * "Send to…" from the app: the window streams the records of its current view (or of the whole
 * cache) to main, which writes them as a snapshot in a private folder of the data folder — the
 * review pack's route (review-pack-exports.ts) — verifies it, and pushes from it with the code
 * `cax push adx --snapshot` / `cax push loganalytics --snapshot` run: parts, journal, 429 waits,
 * count-before-send and per-part count verification. The snapshot is removed afterwards; the
 * journal stays, so the same records sent again to the same destination resume where a killed
 * or cancelled send stopped and nothing is doubled.
 *
 * The journal is named by the destination and a hash of the target and of the record Ids in
 * order: the same view sent again finds its journal; other records get their own. A journal
 * whose every part was verified is marked complete and kept as the record of what was sent for
 * {@link DEFAULT_JOURNAL_RETENTION_DAYS} days after that, then removed when a send begins; so is
 * the journal of a deleted destination (nothing can resume it) that long after its last change.
 * Pruning never risks a double send: an ADX part is counted before it is sent, and a Log
 * Analytics run id is derived from the same hash, so the parts of the same records sent again
 * carry the same tags and are counted at the destination first.
 */
import { createHash, randomUUID } from 'node:crypto'
import { mkdir, readdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'

import type { NormalizedRecord } from '../../../../shared/audit'
import { emptyLedger } from '../../../../shared/acquisition/ledger'
import { destinationTarget } from '../../../../shared/destinations'
import type {
  Destination,
  SendProgress,
  SendScope,
  SendSummary
} from '../../../../shared/destinations'
import { AppError } from '../../../../shared/errors'
import type { HttpsClient } from '../../http/https-client'
import type { Logger } from '../../logging/logger'
import type { ProfilesService } from '../../profiles/profiles-service'
import { SnapshotExports } from '../../snapshot/snapshot-export'
import { SnapshotReader, verifySnapshot } from '../../snapshot/snapshot-reader'
import { AdxError } from '../../sources/adx/adx-client'
import { LogAnalyticsError } from '../../sources/log-analytics/log-analytics-client'
import type { DestinationsService } from '../destinations-service'
import { LogsIngestionError } from '../log-analytics/logs-ingestion-client'
import { PushJournalError, journalCompletedAt } from '../push-journal'

import { pushTo } from './send-pushers'
import type { PushOutcome, PushTuning } from './send-pushers'

/** How long a complete journal (or one of a deleted destination) is kept. */
export const DEFAULT_JOURNAL_RETENTION_DAYS = 30

const DAY_MS = 86_400_000
const JOURNAL_FILE = /^(.+)-([0-9a-f]{32})\.journal\.ndjson$/

export interface SendServiceDeps {
  log: Logger
  appVersion: string
  /** The private folder for the sends' snapshots and journals (`<data>/sends`). */
  dir: string
  destinations: DestinationsService
  profiles: ProfilesService
  http: HttpsClient
  /** A token for `scope` from a connection's sign-in (main only). */
  token: (profileId: string, scope: string, forceRefresh: boolean) => Promise<string>
  /** Called when a send begins (the demo starts its emulator for its destinations). */
  prepare?: (destination: Destination) => Promise<void>
  /**
   * Where a destination's sends land beyond its target, when the target alone does not say it
   * (the demo: the emulator started this time, whose cluster and workspace start empty). Names
   * the journal with the target: a new instance gets a new journal, so "already there" is never
   * taken from a journal of a cluster that is gone. '' for real destinations.
   */
  journalScope?: (destination: Destination) => string
  onProgress: (progress: SendProgress) => void
  tuning?: PushTuning
  exportIdleMs?: number
  /** Days a complete journal is kept (default {@link DEFAULT_JOURNAL_RETENTION_DAYS}). */
  journalRetentionDays?: number
  now?: () => Date
}

interface SendJob {
  destination: Destination
  scope: SendScope
  ids: ReturnType<typeof createHash>
  controller: AbortController
  snapshotPath: string
}

/** Runs sends, one job per send. */
export class SendService {
  private readonly snapshots: SnapshotExports
  private readonly jobs = new Map<string, SendJob>()

  constructor(private readonly deps: SendServiceDeps) {
    this.snapshots = new SnapshotExports({
      log: deps.log,
      appVersion: deps.appVersion,
      chooseExportPath: async () => {
        await mkdir(deps.dir, { recursive: true })
        return join(deps.dir, `send-${randomUUID()}.caxsnap`)
      },
      ...(deps.exportIdleMs !== undefined ? { exportIdleMs: deps.exportIdleMs } : {})
    })
  }

  /** Starts a send to a saved destination; records follow through {@link append}. */
  async begin(input: { destinationId: string; scope: SendScope }): Promise<{ sendId: string }> {
    // The demo's destinations are (re)pointed at its emulator when it starts: prepare first,
    // then read the destination as it now stands (its target names the journal).
    await this.deps.prepare?.(await this.deps.destinations.get(input.destinationId))
    const destination = await this.deps.destinations.get(input.destinationId)
    await this.pruneJournals()
    const { exportId, path } = await this.snapshots.exportBegin({
      suggestedName: 'send',
      ledger: emptyLedger(),
      annotations: {}
    })
    const ids = createHash('sha256')
    ids.update(`${destination.id}\n${destinationTarget(destination)}\n`)
    // (Only when there is one: journals of real destinations keep the names they had.)
    const scope = this.deps.journalScope?.(destination) ?? ''
    if (scope !== '') {
      ids.update(`${scope}\n`)
    }
    this.jobs.set(exportId, {
      destination,
      scope: input.scope,
      ids,
      controller: new AbortController(),
      snapshotPath: path
    })
    this.deps.log.info(`[send] ${exportId} to ${destination.kind} ${destination.id} started`)
    return { sendId: exportId }
  }

  /** Hands over the next records (in the order they are to be sent). */
  append(sendId: string, records: NormalizedRecord[]): Promise<{ records: number }> {
    const job = this.job(sendId)
    for (const r of records) {
      job.ids.update(r.id)
      job.ids.update('\n')
    }
    return this.snapshots.exportAppend(sendId, records)
  }

  /**
   * Ends the records: writes and verifies the snapshot, then pushes from it. Resolves with the
   * summary once every part is verified or reported; rejects with `send/cancelled` on cancel.
   */
  async finish(sendId: string): Promise<SendSummary> {
    const job = this.job(sendId)
    const { destination } = job
    let snapshotPath = job.snapshotPath
    try {
      const written = await this.snapshots.exportFinish(sendId)
      snapshotPath = written.path
      this.progress(sendId, 'verifying', written.records, 0, 0, 0, 'verifying the snapshot')
      const verification = await verifySnapshot(written.path, {
        expectedFingerprint: written.fingerprint
      })
      if (!verification.ok || verification.fingerprint === null) {
        throw new AppError(
          'send/tampered',
          `The send's snapshot did not verify (${verification.failures.map((f) => `${f.part}: ${f.message}`).join('; ')}); nothing was sent.`
        )
      }
      const profile = await this.deps.profiles.get(destination.profileId).catch(() => {
        throw new AppError(
          'destinations/invalid',
          `${destination.displayName} names a connection that no longer exists; edit it.`
        )
      })
      const key = job.ids.digest('hex').slice(0, 32)
      const journalPath = join(this.deps.dir, 'journals', `${destination.id}-${key}.journal.ndjson`)
      await mkdir(join(this.deps.dir, 'journals'), { recursive: true })
      const reader = await SnapshotReader.open(written.path)
      const total = reader.manifest.recordCount
      let outcome: PushOutcome
      try {
        outcome = await pushTo({
          destination,
          cloud: profile.cloud,
          http: this.deps.http,
          token: (scope, force) => this.deps.token(profile.id, scope, force),
          records: () => reader.records(),
          total,
          journalPath,
          runId: key.slice(0, 16),
          signal: job.controller.signal,
          tuning: this.deps.tuning ?? {},
          onPart: (recordsDone, partsDone, throttled, line) =>
            this.progress(sendId, 'pushing', total, recordsDone, partsDone, throttled, line)
        })
      } finally {
        reader.close()
      }
      const summary: SendSummary = {
        destination: destination.displayName,
        target: destinationTarget(destination),
        status: outcome.failedParts > 0 ? 'partial' : 'complete',
        records: outcome.records,
        parts: outcome.parts,
        sentRecords: outcome.sentRecords,
        sentParts: outcome.sentParts,
        alreadyThereRecords: outcome.alreadyThereRecords,
        alreadyThereParts: outcome.alreadyThereParts,
        failedRecords: outcome.failedRecords,
        failedParts: outcome.failedParts,
        failures: outcome.failures.slice(0, 200),
        throttled: outcome.throttled,
        isResumed: outcome.isResumed,
        fingerprint: verification.fingerprint
      }
      this.deps.log.info(
        `[send] ${sendId} ${summary.status}: ${summary.sentRecords} sent, ${summary.alreadyThereRecords} already there, ${summary.failedRecords} failed`
      )
      return summary
    } catch (error) {
      throw this.explain(sendId, job, error)
    } finally {
      this.jobs.delete(sendId)
      await rm(snapshotPath, { force: true }).catch(() => undefined)
    }
  }

  /** Stops a send: before `finish`, the partial snapshot goes; during the push, it stops. */
  async cancel(sendId: string): Promise<boolean> {
    const job = this.jobs.get(sendId)
    if (!job) {
      return false
    }
    job.controller.abort(new AppError('send/cancelled', 'The send was cancelled.'))
    await this.snapshots.exportCancel(sendId).catch(() => false)
    return true
  }

  /** Stops every send (app shutdown). */
  async cancelAll(): Promise<void> {
    await Promise.all([...this.jobs.keys()].map((id) => this.cancel(id)))
  }

  /**
   * Removes journals kept long enough: complete ones `journalRetentionDays` after they were
   * completed, and those of deleted destinations that long after their last change. Returns the
   * files removed. A journal it cannot read is left alone.
   */
  async pruneJournals(): Promise<string[]> {
    const dir = join(this.deps.dir, 'journals')
    const now = (this.deps.now ?? (() => new Date()))().getTime()
    const keepMs = (this.deps.journalRetentionDays ?? DEFAULT_JOURNAL_RETENTION_DAYS) * DAY_MS
    const names = await readdir(dir).catch(() => [] as string[])
    const live = new Set((await this.deps.destinations.list()).map((d) => d.id))
    const removed: string[] = []
    for (const name of names) {
      const match = JOURNAL_FILE.exec(name)
      if (!match) {
        continue
      }
      const file = join(dir, name)
      const completedAt = await journalCompletedAt(file)
      let isExpired = completedAt !== undefined && now - Date.parse(completedAt) > keepMs
      if (!isExpired && !live.has(match[1] ?? '')) {
        const changed = await stat(file).then(
          (s) => s.mtimeMs,
          () => now
        )
        isExpired = now - changed > keepMs
      }
      if (isExpired) {
        await rm(file, { force: true })
        removed.push(name)
        this.deps.log.info(
          `[send] journal ${name} removed: ${completedAt !== undefined ? `complete since ${completedAt}` : 'its destination was deleted'}, kept ${Math.round(keepMs / DAY_MS)} days`
        )
      }
    }
    return removed
  }

  private progress(
    sendId: string,
    phase: SendProgress['phase'],
    records: number,
    recordsDone: number,
    partsDone: number,
    throttled: number,
    line: string
  ): void {
    this.deps.onProgress({
      sendId,
      phase,
      records,
      recordsDone,
      partsDone,
      throttled,
      line: line.replace(/^\[push\] /, '').slice(0, 500)
    })
  }

  private explain(sendId: string, job: SendJob, error: unknown): AppError {
    if (job.controller.signal.aborted) {
      this.deps.log.info(`[send] ${sendId} cancelled`)
      return new AppError(
        'send/cancelled',
        'The send was cancelled. Parts already verified are recorded: sending the same records again resumes there.'
      )
    }
    if (error instanceof AppError) {
      this.deps.log.warn(`[send] ${sendId} failed: ${error.code}`)
      return error
    }
    const name = job.destination.displayName
    this.deps.log.warn(
      `[send] ${sendId} failed: ${error instanceof Error ? error.name : 'unknown'}`
    )
    if (
      (error instanceof AdxError ||
        error instanceof LogAnalyticsError ||
        error instanceof LogsIngestionError) &&
      error.isAuth
    ) {
      return new AppError(
        'send/failed',
        `${name} refused the connection's account (${error.status} ${error.code}): ${error.message}`
      )
    }
    if (error instanceof PushJournalError) {
      return new AppError('send/failed', `The send's journal cannot be used: ${error.message}`)
    }
    return new AppError(
      'send/failed',
      `Sending to ${name} stopped: ${error instanceof Error ? error.message : String(error)}. Send the same records again to resume.`
    )
  }

  private job(sendId: string): SendJob {
    const job = this.jobs.get(sendId)
    if (!job) {
      throw new AppError(
        'send/unknown',
        'This send is no longer running (finished, cancelled or failed).'
      )
    }
    return job
  }
}
