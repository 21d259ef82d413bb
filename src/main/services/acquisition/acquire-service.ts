/**
 * Runs syncs for the UI. The engine's sink is the renderer: each batch is pushed with its ledger
 * delta, the renderer commits both in one IndexedDB transaction and acknowledges; the engine
 * keeps at most two batches unanswered (the window commits them in order, refusing the rest once
 * one fails) and waits for answers before producing more (back-pressure, ARCHITECTURE.md "Data
 * flow"). A crash at any point leaves the cache consistent; the next sync plans from the ledger
 * the renderer sends.
 */
import { randomUUID } from 'node:crypto'

import type { Ledger, LedgerDelta } from '../../../shared/acquisition'
import type { NormalizedRecord } from '../../../shared/audit'
import { AppError } from '../../../shared/errors'
import { adxScope } from '../../../shared/clouds'
import { adxSourceOf, workspaceOf } from '../../../shared/profiles'
import { endpointsFor, logAnalyticsBaseFor, type AuthService } from '../auth/auth-service'
import type { HttpsClient } from '../http/https-client'
import type { Logger } from '../logging/logger'
import type { ProfilesService } from '../profiles/profiles-service'

import { AckedBatches, type BatchOutcome } from './acked-batches'
import { SyncEngine, type SyncEngineOptions } from './sync-engine'
import { AcquisitionError } from './types'
import { runAdxSync, runWorkspaceSync } from './workspace-sync'
import type { RecordSink, SyncProgress, SyncResult } from './types'

export type { BatchOutcome } from './acked-batches'

/** A batch pushed to the UI. */
export interface BatchPush {
  jobId: string
  clientId: string
  batchId: number
  records: NormalizedRecord[]
  ledger: LedgerDelta
}

/** How a job ended. */
export interface JobFinish {
  jobId: string
  clientId: string
  status: 'complete' | 'partial' | 'failed' | 'cancelled'
  result: SyncResult | null
  error: { code: string; message: string } | null
}

export interface AcquireStart {
  profileId: string
  /** The window that started the job; only it commits the batches. */
  clientId: string
  since: Date
  until: Date
  history: boolean
  allRecords: boolean
  /** The ledger the UI has for this tenant; the engine plans from it. */
  ledger: Ledger
}

export interface AcquireServiceDeps {
  profiles: ProfilesService
  auth: AuthService
  http: HttpsClient
  log: Logger
  onBatch: (push: BatchPush) => void
  onProgress: (jobId: string, clientId: string, progress: SyncProgress) => void
  onFinish: (finish: JobFinish) => void
  /** How long to wait for the UI to commit a batch before giving up (default 10 minutes). */
  ackTimeoutMs?: number
  /** Engine knobs for tests (clock, sleep, settle delay…). */
  engine?: Partial<SyncEngineOptions>
  /** Log Analytics client knobs for tests of workspace profiles (sleep). */
  workspaceClient?: { sleep?: (ms: number, signal?: AbortSignal) => Promise<void> }
}

interface Job {
  id: string
  clientId: string
  profileId: string
  abort: AbortController
  batches: AckedBatches
  /** Sends the latest progress it holds back (called before the job's end is announced). */
  flushProgress: () => void
}

/**
 * Progress is sent at most this often (the latest state, the last one always): the engine reports
 * every blob, and each report re-renders the window's status line.
 */
export const PROGRESS_INTERVAL_MS = 200

/** Starts, feeds and cancels sync jobs; one job per profile at a time. */
export class AcquireService {
  private readonly jobs = new Map<string, Job>()

  constructor(private readonly deps: AcquireServiceDeps) {}

  /** Starts a sync in the background; progress, batches and the end arrive as pushes. */
  async start(input: AcquireStart): Promise<{ jobId: string }> {
    if ([...this.jobs.values()].some((j) => j.profileId === input.profileId)) {
      throw new AppError('acquire/busy', 'A sync is already running for this connection.')
    }
    if (!(input.since.getTime() < input.until.getTime())) {
      throw new AppError('acquire/invalid-range', 'The start of the range must be before its end.')
    }
    const profile = await this.deps.profiles.get(input.profileId)
    const workspace = workspaceOf(profile)
    const adx = adxSourceOf(profile)
    const adxToken = async (forceRefresh: boolean): Promise<string> =>
      (await this.deps.auth.getScopeToken(profile.id, adxScope(adx?.cluster ?? ''), forceRefresh))
        .token
    // The token's tenant is the GUID even when the profile names a domain.
    const { tenantId } = adx
      ? await this.deps.auth.getScopeToken(profile.id, adxScope(adx.cluster))
      : await this.deps.auth.getAccessToken(profile.id, workspace ? 'loganalytics' : 'management')
    let held: SyncProgress | null = null
    let timer: NodeJS.Timeout | undefined
    const job: Job = {
      id: randomUUID(),
      clientId: input.clientId,
      profileId: profile.id,
      flushProgress: () => {
        clearTimeout(timer)
        timer = undefined
        if (held) {
          this.deps.onProgress(job.id, job.clientId, held)
          held = null
        }
      },
      abort: new AbortController(),
      batches: new AckedBatches({
        ...(this.deps.ackTimeoutMs !== undefined ? { timeoutMs: this.deps.ackTimeoutMs } : {}),
        timeoutError: () =>
          new AppError(
            'acquire/store-failed',
            'The app window did not store a batch in time (was it closed?). The sync stopped; start it again to resume.'
          ),
        commitError: (message) =>
          new AppError(
            'acquire/store-failed',
            `The local cache could not store the records: ${message}`
          )
      })
    }
    this.jobs.set(job.id, job)
    const endpoints = endpointsFor(profile)
    const sink: RecordSink = {
      loadLedger: async () => input.ledger,
      commit: (batch) => this.push(job, batch.records, batch.ledger)
    }
    const onProgress = (progress: SyncProgress): void => {
      held = progress
      timer ??= setTimeout(job.flushProgress, PROGRESS_INTERVAL_MS)
    }
    this.deps.log.info(`[acquire] job ${job.id} started for profile ${profile.id}`)
    const running: Promise<SyncResult> = adx
      ? runAdxSync({
          adx,
          tenantId,
          http: this.deps.http,
          token: adxToken,
          sink,
          since: input.since,
          until: input.until,
          signal: job.abort.signal,
          onProgress,
          ...(this.deps.workspaceClient ? { clientOptions: this.deps.workspaceClient } : {})
        })
      : workspace
        ? runWorkspaceSync({
            profile,
            workspace,
            base: logAnalyticsBaseFor(profile),
            tenantId,
            http: this.deps.http,
            token: async (forceRefresh) =>
              (await this.deps.auth.getAccessToken(profile.id, 'loganalytics', forceRefresh)).token,
            sink,
            since: input.since,
            until: input.until,
            signal: job.abort.signal,
            onProgress,
            ...(this.deps.workspaceClient ? { clientOptions: this.deps.workspaceClient } : {})
          })
        : new SyncEngine({
            http: this.deps.http,
            managementApiBase: endpoints.managementApiBase,
            graphBase: endpoints.graphBase,
            publisherId: profile.publisherIdentifier ?? tenantId,
            token: async (resource, forceRefresh) =>
              (await this.deps.auth.getAccessToken(profile.id, resource, forceRefresh)).token,
            sink,
            log: this.deps.log,
            // The window commits batches in order and refuses the rest after a failure
            // (use-sync.ts), so a second batch can travel while it commits the first.
            commitsInFlight: 2,
            ...this.deps.engine
          }).run(
            {
              tenantId,
              since: input.since,
              until: input.until,
              history: input.history && endpoints.hasGraphAuditQuery,
              allRecords: input.allRecords
            },
            { signal: job.abort.signal, onProgress }
          )
    void running.then(
      (result) =>
        this.finish(job, {
          status:
            result.gaps > 0 || result.windows.partial > 0 || result.windows.failed > 0
              ? 'partial'
              : 'complete',
          result,
          error: null
        }),
      (error: unknown) => {
        if (job.abort.signal.aborted) {
          this.finish(job, {
            status: 'cancelled',
            result: null,
            error: {
              code: 'acquire/cancelled',
              message: 'The sync was cancelled; what was stored is kept.'
            }
          })
          return
        }
        const known = error instanceof AcquisitionError || error instanceof AppError
        this.deps.log.warn(
          `[acquire] job ${job.id} failed: ${known ? (error as AcquisitionError).code : 'unexpected'}`
        )
        this.finish(job, {
          status: 'failed',
          result: null,
          error: {
            code: error instanceof AppError ? error.code : 'acquire/failed',
            message: known
              ? (error as Error).message
              : 'The sync stopped unexpectedly; see the log.'
          }
        })
      }
    )
    return { jobId: job.id }
  }

  /** The UI's answer to a batch. False when the job or batch is unknown (late or foreign answer). */
  ack(jobId: string, batchId: number, outcome: BatchOutcome): boolean {
    return this.jobs.get(jobId)?.batches.settle(batchId, outcome) ?? false
  }

  /** Stops a job; batches already committed stay. */
  cancel(jobId: string): boolean {
    const job = this.jobs.get(jobId)
    if (!job) {
      return false
    }
    job.abort.abort(new AcquisitionError('cancelled', 'The sync was cancelled.'))
    job.batches.rejectAll(new AcquisitionError('cancelled', 'The sync was cancelled.'))
    return true
  }

  /** Cancels every job (app shutdown). */
  cancelAll(): void {
    for (const id of [...this.jobs.keys()]) {
      this.cancel(id)
    }
  }

  private push(
    job: Job,
    records: NormalizedRecord[],
    ledger: LedgerDelta
  ): Promise<{ new: number; duplicates: number }> {
    const { batchId, answer } = job.batches.open()
    this.deps.onBatch({ jobId: job.id, clientId: job.clientId, batchId, records, ledger })
    return answer
  }

  private finish(job: Job, end: Omit<JobFinish, 'jobId' | 'clientId'>): void {
    job.flushProgress()
    this.jobs.delete(job.id)
    job.batches.clear()
    this.deps.log.info(`[acquire] job ${job.id} ended: ${end.status}`)
    this.deps.onFinish({ jobId: job.id, clientId: job.clientId, ...end })
  }
}
