/**
 * Management API windows: the subscription, listing a window page by page (`NextPageUri`),
 * recording what was listed and settling the window's status once its blobs are handled; the
 * part of a range older than 7 days becomes a gap (management-api.md §2, §7).
 */
import {
  advanceSettled,
  applyDelta,
  blobKey,
  emptyDelta,
  settledUntil,
  windowKey
} from '../../../shared/acquisition'
import type {
  LedgerBlob,
  LedgerError,
  LedgerWindow,
  WindowStatus
} from '../../../shared/acquisition'
import { AuditApiError } from '../audit-api/api-error'
import type { ContentItem, ManagementClient } from '../audit-api/management-client'

import { downloadAll, expireBlob, newBlob, withBlobTotals } from './blob-download'
import { newWindow, toLedgerError } from './retry'
import { SYNC_DEFAULTS } from './run-context'
import type { RunContext } from './run-context'
import { AcquisitionError } from './types'
import { earliestStart } from './windows'
import type { PlannedWindow } from './windows'

/** Starts the subscription when missing; AF20024 is success (management-api.md §2.5). */
export async function ensureSubscription(
  ctx: RunContext,
  client: ManagementClient,
  contentType: string
): Promise<void> {
  ctx.progress.phase = 'subscribing'
  ctx.emit()
  const { subscriptions } = await ctx.call('list subscriptions', () =>
    client.listSubscriptions(ctx.signal)
  )
  const found = subscriptions.find((s) => s.contentType.toLowerCase() === contentType.toLowerCase())
  if (found?.status.toLowerCase() === 'enabled') {
    return
  }
  const outcome = await ctx.call(`start subscription ${contentType}`, () =>
    client.startSubscription(contentType, ctx.signal)
  )
  ctx.log.info(
    outcome === 'started'
      ? `[acquire] started the ${contentType} subscription: the first content can take up to 12 hours, and nothing from before it exists`
      : `[acquire] the ${contentType} subscription was already enabled (AF20024)`
  )
}

/** Marks the part of the range older than 7 days as a gap (no `--history`). */
export async function recordOutOfReach(
  ctx: RunContext,
  contentTypes: string[],
  span: { start: number; end: number }
): Promise<void> {
  const delta = emptyDelta()
  const at = new Date(ctx.serverNow()).toISOString()
  for (const contentType of contentTypes) {
    for (let a = span.start; a < span.end;) {
      const day = Math.floor(a / 86_400_000) * 86_400_000
      const b = Math.min(span.end, day + 86_400_000)
      const key = windowKey('management', ctx.request.tenantId, contentType, day)
      const existing = ctx.ledger.windows[key]
      if (existing && Date.parse(existing.end) > span.end) {
        // The day's reachable part is a window of its own this run listed (or tried): it keeps
        // its status and settled hours; the hours before it read as out of reach in coverage.
        ctx.stats.gaps++
      } else if (!existing || existing.status !== 'complete') {
        delta.windows.push({
          ...(existing ?? newWindow(key, ctx.request.tenantId, 'management', contentType, at)),
          start: new Date(Math.min(a, existing ? Date.parse(existing.start) : a)).toISOString(),
          end: new Date(Math.max(b, existing ? Date.parse(existing.end) : b)).toISOString(),
          status: 'gap',
          lastError: {
            code: 'out-of-reach',
            message:
              'Older than the 7 days the Management Activity API keeps; pull with --history (Graph) for it.'
          },
          updatedAt: at
        })
        ctx.stats.gaps++
      }
      a = b
    }
  }
  ctx.log.warn(
    `[acquire] ${new Date(span.start).toISOString()}–${new Date(span.end).toISOString()} is older than 7 days: recorded as a gap`
  )
  await ctx.commit([], delta)
}

export async function syncWindow(
  ctx: RunContext,
  client: ManagementClient,
  contentType: string,
  planned: PlannedWindow
): Promise<WindowStatus> {
  const o = ctx.options
  const tenantId = ctx.request.tenantId
  const key = windowKey('management', tenantId, contentType, planned.day)
  const at = (): string => new Date(ctx.serverNow()).toISOString()
  let window: LedgerWindow = {
    ...(ctx.ledger.windows[key] ?? newWindow(key, tenantId, 'management', contentType, at()))
  }
  const relist = o.relistMs ?? SYNC_DEFAULTS.relistMs
  const settle = o.settleMs ?? SYNC_DEFAULTS.settleMs
  const isFinal =
    window.status === 'complete' &&
    Date.parse(window.start) <= planned.start &&
    Date.parse(window.end) >= planned.end &&
    planned.end < ctx.serverNow() - relist
  if (isFinal) {
    return 'complete'
  }
  ctx.progress.phase = 'listing'
  ctx.progress.window = {
    source: 'management',
    contentType,
    start: new Date(planned.start).toISOString(),
    end: new Date(planned.end).toISOString()
  }
  ctx.emit()

  const listed = await listWindow(ctx, client, contentType, planned, window)
  if (!listed.ok) {
    window = {
      ...window,
      ...spanWith(window, planned),
      status: listed.status,
      attempts: window.attempts + listed.attempts,
      lastError: listed.error,
      updatedAt: at()
    }
    await ctx.enqueue([], { ...emptyDelta(), windows: [window] })
    if (listed.status === 'gap') {
      ctx.stats.gaps++
    }
    return listed.status
  }
  const listedAt = at()
  const start = Math.min(
    listed.start,
    window.listCount > 0 ? Date.parse(window.start) : listed.start
  )
  window = {
    ...window,
    start: new Date(start).toISOString(),
    end: new Date(
      Math.max(planned.end, window.listCount > 0 ? Date.parse(window.end) : 0)
    ).toISOString(),
    attempts: window.attempts + listed.attempts,
    listCount: window.listCount + 1,
    firstListedAt: window.firstListedAt ?? listedAt,
    lastListedAt: listedAt,
    // A window is complete once listed a settle delay after its end (late blobs); its hours
    // settle one by one (shared/acquisition/settle.ts).
    settledUntil: settledAfterListing(window, start, listed.start, planned.end, listedAt, settle),
    status: 'pending',
    updatedAt: listedAt
  }
  // Record newly listed blobs as pending, expired ones as gaps (checklist item 8).
  const delta = emptyDelta()
  const todo: LedgerBlob[] = []
  const listedUris = new Map<string, string>()
  for (const item of listed.items) {
    listedUris.set(item.contentId, item.contentUri)
    const bkey = blobKey(tenantId, item.contentId)
    const existing = ctx.ledger.blobs[bkey]
    ctx.stats.blobs.listed++
    ctx.progress.blobsListed++
    if (existing && (existing.status === 'done' || existing.status === 'expired')) {
      ctx.stats.blobs.skipped++
      ctx.progress.blobsSkipped++
      continue
    }
    const blob: LedgerBlob = existing
      ? { ...existing, windowKey: key, status: 'pending' }
      : newBlob(bkey, tenantId, contentType, item, key, listedAt)
    if (Date.parse(blob.contentExpiration) <= ctx.serverNow()) {
      delta.blobs.push(expireBlob(ctx, blob, 'contentExpiration has passed', at()))
      continue
    }
    if (!existing || existing.status !== 'pending') {
      delta.blobs.push(blob)
    }
    todo.push(blob)
  }
  applyDelta(ctx.ledger, delta)
  window = withBlobTotals(ctx, window, contentType)
  await ctx.enqueue([], { ...delta, windows: [window] })

  ctx.progress.phase = 'downloading'
  ctx.emit()
  await downloadAll(
    ctx,
    client,
    todo,
    listedUris,
    () => window,
    (w) => (window = w),
    contentType
  )
  // The status is known now (blob statuses are); the new/duplicate totals are final once the
  // commits are answered, and are sent again at the end of the run (finishWindows).
  ctx.touchWindow(key, contentType)

  window = withBlobTotals(ctx, window, contentType)
  const status: WindowStatus =
    window.failedBlobs > 0
      ? 'partial'
      : window.expiredBlobs > 0
        ? 'gap'
        : Date.parse(listedAt) >= Date.parse(window.end) + settle
          ? 'complete'
          : 'listed'
  window = {
    ...window,
    status,
    completedAt: status === 'complete' ? (window.completedAt ?? at()) : window.completedAt,
    updatedAt: at()
  }
  await ctx.enqueue([], { ...emptyDelta(), windows: [window] })
  return status
}

/**
 * Waits for every commit to be answered, then sends the windows this run downloaded into once
 * more with their final new/duplicate totals (a window's blobs are committed in batches that may
 * be answered after the window itself was recorded).
 */
export async function finishWindows(
  ctx: RunContext,
  touched: ReadonlyMap<string, string>
): Promise<void> {
  await ctx.drain()
  const delta = emptyDelta()
  for (const [key, contentType] of touched) {
    const window = ctx.ledger.windows[key]
    if (window) {
      const final = withBlobTotals(ctx, window, contentType)
      if (final.new !== window.new || final.duplicate !== window.duplicate) {
        delta.windows.push(final)
      }
    }
  }
  if (delta.windows.length > 0) {
    await ctx.commit([], delta)
  }
}

/** Lists every page of a window; re-plans once with the server's clock on AF20030/AF20055. */
export async function listWindow(
  ctx: RunContext,
  client: ManagementClient,
  contentType: string,
  planned: PlannedWindow,
  window: LedgerWindow
): Promise<
  | { ok: true; items: ContentItem[]; attempts: number; start: number }
  | { ok: false; status: WindowStatus; error: LedgerError; attempts: number }
> {
  const margin = ctx.options.safetyMarginMs ?? SYNC_DEFAULTS.safetyMarginMs
  let attempts = 0
  let isReplanned = false
  let isRestarted = false
  for (;;) {
    // Clamp again now: the 7-day edge moves while a long run goes on.
    const start = Math.max(planned.start, earliestStart(ctx.serverNow(), margin))
    if (start >= planned.end) {
      return {
        ok: false,
        status: 'gap',
        attempts,
        error: {
          code: 'out-of-reach',
          message: 'The window passed the 7-day edge before it could be listed.'
        }
      }
    }
    const items: ContentItem[] = []
    const seen = new Set<string>()
    let page: string | null = client.contentUrl(contentType, new Date(start), new Date(planned.end))
    try {
      while (page) {
        attempts++
        const url: string = page
        const result = await ctx.call(`list ${contentType} ${window.key}`, () =>
          client.listContentPage(url, ctx.signal)
        )
        for (const item of result.items) {
          if (!seen.has(item.contentId)) {
            seen.add(item.contentId)
            items.push(item)
          }
        }
        page = result.nextPageUri
      }
      return { ok: true, items, attempts, start }
    } catch (error) {
      if (
        error instanceof AuditApiError &&
        (error.code === 'AF20030' || error.code === 'AF20055')
      ) {
        ctx.stats.windowRuleErrors++
        ctx.noteError({ code: error.code, message: error.message })
        const skewMs = isReplanned ? undefined : ctx.adoptServerClock()
        if (skewMs !== undefined) {
          // Checklist item 11: adopt the server's clock from its Date header and try again.
          isReplanned = true
          ctx.log.warn(
            `[acquire] ${error.code} listing ${window.key}: adopting the server clock (skew ${Math.round(skewMs / 1000)} s)`
          )
          continue
        }
        return {
          ok: false,
          status: 'failed',
          attempts,
          error: { code: error.code, message: error.message }
        }
      }
      if (error instanceof AuditApiError && error.code === 'AF20031' && !isRestarted) {
        isRestarted = true
        ctx.log.warn(
          `[acquire] AF20031 (invalid nextPage) listing ${window.key}: restarting the window`
        )
        continue
      }
      if (error instanceof AcquisitionError) {
        throw error
      }
      const info = toLedgerError(error)
      ctx.noteError(info)
      ctx.log.error(`[acquire] listing ${window.key} failed: ${info.code} ${info.message}`)
      return { ok: false, status: 'failed', attempts, error: info }
    }
  }
}

/** The window's settled frontier after a listing of `[listStart, listEnd)` (ISO). */
function settledAfterListing(
  window: LedgerWindow,
  windowStart: number,
  listStart: number,
  listEnd: number,
  listedAt: string,
  settleMs: number
): string {
  const frontier = advanceSettled({
    previous: window.listCount > 0 ? settledUntil(window, settleMs) : null,
    windowStart,
    listStart,
    listEnd,
    listedAt: Date.parse(listedAt),
    settleMs
  })
  return new Date(frontier).toISOString()
}

/**
 * A window's span grown to include a planned one (a window with no span yet takes the planned
 * one), so a window that failed still says which hours it was meant to cover.
 */
function spanWith(window: LedgerWindow, planned: PlannedWindow): { start: string; end: string } {
  const isNew = Date.parse(window.start) >= Date.parse(window.end)
  const start = isNew ? planned.start : Math.min(planned.start, Date.parse(window.start))
  const end = isNew ? planned.end : Math.max(planned.end, Date.parse(window.end))
  return { start: new Date(start).toISOString(), end: new Date(end).toISOString() }
}
