/**
 * Management API blobs: downloads with bounded concurrency, streamed into batches that are
 * committed as they fill, retried by error code, expired blobs recorded as gaps, and the blobs an
 * earlier run left unfinished (management-api.md §7 items 7–8).
 */
import { applyDelta, emptyDelta } from '../../../shared/acquisition'
import type { LedgerBlob, LedgerWindow } from '../../../shared/acquisition'
import type { NormalizedRecord } from '../../../shared/audit'
import { AuditApiError, errorAction } from '../audit-api/api-error'
import type { ContentItem, ManagementClient } from '../audit-api/management-client'
import { emptyEncoded } from '../store/encoded-records'
import type { EncodedRecords } from '../store/encoded-records'

import { checkAborted, configError } from './api-caller'
import { readBlobBatches } from './blob-records'
import type { BlobBatch } from './blob-records'
import { backoffMs, isTransient, newWindow, toLedgerError } from './retry'
import { SYNC_DEFAULTS } from './run-context'
import type { RunContext } from './run-context'
import { AcquisitionError } from './types'

export function expireBlob(ctx: RunContext, blob: LedgerBlob, why: string, at: string): LedgerBlob {
  ctx.stats.blobs.expired++
  ctx.stats.gaps++
  ctx.progress.blobsExpired++
  ctx.log.warn(`[acquire] blob ${blob.contentId} skipped: AF20051 (${why}); recorded as a gap`)
  return {
    ...blob,
    status: 'expired',
    lastError: { code: 'AF20051', message: `Content expired before download: ${why}.` },
    finishedAt: at
  }
}

export function withBlobTotals(
  ctx: RunContext,
  window: LedgerWindow,
  contentType: string
): LedgerWindow {
  const start = Date.parse(window.start)
  const end = Date.parse(window.end)
  const tenant = window.tenantId.toLowerCase()
  const t = { listed: 0, received: 0, new: 0, duplicate: 0, rejected: 0, failed: 0, expired: 0 }
  for (const b of Object.values(ctx.ledger.blobs)) {
    const created = Date.parse(b.contentCreated)
    if (
      b.tenantId.toLowerCase() !== tenant ||
      b.contentType.toLowerCase() !== contentType.toLowerCase() ||
      created < start ||
      created >= end
    ) {
      continue
    }
    t.listed++
    t.received += b.received
    t.new += b.new
    t.duplicate += b.duplicate
    t.rejected += b.rejected
    t.failed += b.status === 'failed' ? 1 : 0
    t.expired += b.status === 'expired' ? 1 : 0
  }
  return {
    ...window,
    listed: t.listed,
    received: t.received,
    new: t.new,
    duplicate: t.duplicate,
    rejected: t.rejected,
    failedBlobs: t.failed,
    expiredBlobs: t.expired
  }
}

/**
 * Downloads blobs with bounded concurrency; each worker awaits its commits (back-pressure).
 * `listedUris` holds the `contentUri` this run's listing handed back for each content id.
 */
export async function downloadAll(
  ctx: RunContext,
  client: ManagementClient,
  todo: LedgerBlob[],
  listedUris: ReadonlyMap<string, string>,
  getWindow: () => LedgerWindow,
  setWindow: (w: LedgerWindow) => void,
  contentType: string
): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    for (;;) {
      checkAborted(ctx.signal)
      const blob = todo[next++]
      if (!blob) {
        return
      }
      await downloadBlob(ctx, client, blob, listedUris.get(blob.contentId), (b) => {
        const w = withBlobTotals(ctx, { ...getWindow(), updatedAt: b.listedAt }, contentType)
        setWindow(w)
        return w
      })
    }
  }
  const n = Math.max(1, Math.min(ctx.options.concurrency ?? SYNC_DEFAULTS.concurrency, todo.length))
  const results = await Promise.allSettled(Array.from({ length: n }, () => worker()))
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failure) {
    throw failure.reason
  }
}

/** Downloads one blob with retries by error code, committing its records in batches. */
export async function downloadBlob(
  ctx: RunContext,
  client: ManagementClient,
  initial: LedgerBlob,
  /**
   * The `contentUri` the listing handed back in this run, or undefined to build the URL from the
   * content id. Either way the token destination policy checks it before a token is attached; a
   * refusal fails the blob with its reason.
   */
  url: string | undefined,
  windowAfter: (blob: LedgerBlob) => LedgerWindow
): Promise<void> {
  const o = ctx.options
  const maxAttempts = o.maxAttempts ?? SYNC_DEFAULTS.maxAttempts
  const batchSize = o.batchSize ?? SYNC_DEFAULTS.batchSize
  const at = (): string => new Date(ctx.serverNow()).toISOString()
  let blob: LedgerBlob = { ...initial }
  // Queues a part of the blob with its ledger entry; the part's new/duplicate split reaches the
  // ledger when its batch is answered (and goes out with the next batch).
  const commitBlob = async (
    records: EncodedRecords | NormalizedRecord[],
    rejected: number,
    count: number
  ): Promise<void> => {
    blob = { ...blob, received: blob.received + count, rejected: blob.rejected + rejected }
    const entry = ctx.withCounts(blob)
    applyDelta(ctx.ledger, { ...emptyDelta(), blobs: [entry] })
    await ctx.enqueue(
      records,
      { ...emptyDelta(), blobs: [entry], windows: [windowAfter(entry)] },
      (counts) => ctx.countBlob(initial, counts)
    )
    ctx.stats.records += Array.isArray(records) ? records.length : records.ids.length
    ctx.stats.rejected += rejected
    ctx.emit()
  }
  const settle = async (final: LedgerBlob): Promise<void> => {
    const entry = ctx.withCounts(final)
    applyDelta(ctx.ledger, { ...emptyDelta(), blobs: [entry] })
    await ctx.enqueue([], { ...emptyDelta(), blobs: [entry], windows: [windowAfter(entry)] })
  }
  for (let attempt = 1; ; attempt++) {
    checkAborted(ctx.signal)
    if (Date.parse(blob.contentExpiration) <= ctx.serverNow()) {
      blob = expireBlob(ctx, blob, 'contentExpiration passed while waiting', at())
      await settle(blob)
      return
    }
    blob = { ...blob, attempts: blob.attempts + 1 }
    try {
      // Retries inside call() cover throttling only; other failures come back here.
      const body = await ctx.call(
        `blob ${blob.contentId}`,
        () => client.getBlobStream(url ?? client.blobUrl(blob.contentId), ctx.signal),
        1
      )
      // The last batch is held back to be committed with the blob's `done` status.
      let held: BlobBatch = {
        records: ctx.pool === null ? [] : emptyEncoded(),
        rejected: [],
        count: 0
      }
      try {
        // Read as it arrives (a large blob is never held whole), normalized in batches by the
        // pool's workers. Full batches are committed before the body is known to be complete:
        // if it then breaks off or turns out malformed, the retry skips the `received` records
        // already committed, so every record is still stored once (checklist item 7: retry
        // the blob, not the window).
        for await (const part of readBlobBatches(
          body,
          blob.contentId,
          blob.received,
          ctx.pool,
          batchSize
        )) {
          for (const item of part.rejected) {
            ctx.log.warn(
              `[acquire] record ${item.index + 1} of blob ${blob.contentId} rejected: ${item.code}: ${item.reason}`
            )
          }
          if (held.count > 0) {
            await commitBlob(held.records, held.rejected.length, held.count)
          }
          held = part
        }
      } finally {
        body.destroy()
      }
      blob = { ...blob, status: 'done', lastError: null, finishedAt: at() }
      await commitBlob(held.records, held.rejected.length, held.count)
      ctx.stats.blobs.done++
      ctx.progress.blobsDone++
      ctx.emit()
      return
    } catch (error) {
      if (error instanceof AcquisitionError) {
        throw error
      }
      const info = toLedgerError(error)
      blob = { ...blob, lastError: info }
      if (error instanceof AuditApiError) {
        const action = errorAction(error)
        if (action === 'expired') {
          blob = expireBlob(ctx, blob, 'the API answered AF20051', at())
          await settle(blob)
          return
        }
        if (action === 'config') {
          throw configError(error)
        }
      }
      const isRetryable = isTransient(error)
      if (!isRetryable || attempt >= maxAttempts) {
        blob = { ...blob, status: 'failed', finishedAt: at() }
        ctx.stats.blobs.failed++
        ctx.progress.blobsFailed++
        ctx.noteError(info)
        ctx.log.error(
          `[acquire] blob ${blob.contentId} failed after ${attempt} attempt(s): ${info.code} ${info.message}`
        )
        await settle(blob)
        return
      }
      const wait = backoffMs(attempt)
      ctx.log.warn(
        `[acquire] blob ${blob.contentId} attempt ${attempt} failed (${info.code}); retrying in ${Math.round(wait / 100) / 10} s`
      )
      await ctx.sleep(wait, ctx.signal)
    }
  }
}

/**
 * Blobs an earlier run listed but did not finish, older than anything this run lists again
 * (the 7-day edge moved): fetched now, or recorded as gaps once expired.
 */
export async function leftovers(
  ctx: RunContext,
  client: ManagementClient,
  contentType: string,
  before: number
): Promise<void> {
  const tenant = ctx.request.tenantId.toLowerCase()
  const todo = Object.values(ctx.ledger.blobs).filter(
    (b) =>
      b.tenantId.toLowerCase() === tenant &&
      b.contentType.toLowerCase() === contentType.toLowerCase() &&
      (b.status === 'pending' || b.status === 'failed') &&
      Date.parse(b.contentCreated) < before
  )
  if (todo.length === 0) {
    return
  }
  ctx.log.info(`[acquire] ${todo.length} unfinished blob(s) from an earlier run`)
  const touched = new Set<string>()
  const windowAfter = (b: LedgerBlob): LedgerWindow => {
    touched.add(b.windowKey)
    const w =
      ctx.ledger.windows[b.windowKey] ??
      newWindow(b.windowKey, ctx.request.tenantId, 'management', contentType, b.listedAt)
    return withBlobTotals(ctx, w, contentType)
  }
  const n = Math.max(1, Math.min(ctx.options.concurrency ?? SYNC_DEFAULTS.concurrency, todo.length))
  let next = 0
  const worker = async (): Promise<void> => {
    for (let blob = todo[next++]; blob; blob = todo[next++]) {
      checkAborted(ctx.signal)
      // No URL from the ledger: main builds it from its API base and the content id.
      await downloadBlob(ctx, client, { ...blob, status: 'pending' }, undefined, windowAfter)
    }
  }
  await Promise.all(Array.from({ length: n }, () => worker()))
  await ctx.drain()
  const delta = emptyDelta()
  for (const key of touched) {
    const w = ctx.ledger.windows[key]
    if (w) {
      const t = withBlobTotals(ctx, w, contentType)
      delta.windows.push({
        ...t,
        status: t.failedBlobs > 0 ? 'partial' : t.expiredBlobs > 0 ? 'gap' : t.status,
        updatedAt: new Date(ctx.serverNow()).toISOString()
      })
    }
  }
  await ctx.enqueue([], delta)
}

export function newBlob(
  key: string,
  tenantId: string,
  contentType: string,
  item: ContentItem,
  windowKeyValue: string,
  at: string
): LedgerBlob {
  return {
    key,
    tenantId,
    contentType,
    contentId: item.contentId,
    contentCreated: item.contentCreated,
    contentExpiration: item.contentExpiration,
    windowKey: windowKeyValue,
    status: 'pending',
    received: 0,
    new: 0,
    duplicate: 0,
    rejected: 0,
    attempts: 0,
    lastError: null,
    listedAt: at,
    finishedAt: null
  }
}
