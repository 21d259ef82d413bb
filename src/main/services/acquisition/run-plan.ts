/**
 * What a run asked for and what it left undone, in the ledger: every window a run plans is
 * written down (as `pending`, never tried) before the first request, so that coverage can tell an
 * hour the pull never reached ("not tried: the pull stopped") from one nobody asked for; and the
 * windows that stayed partial or failed are listed for the run's summary.
 */
import { emptyDelta, windowKey } from '../../../shared/acquisition'
import type { Ledger, LedgerDelta } from '../../../shared/acquisition'

import { newWindow } from './retry'
import type { RunContext } from './run-context'
import type { FailedWindow, SyncRequest } from './types'
import { planDayWindows } from './windows'
import type { PlannedWindow, WindowPlan } from './windows'

/** The Graph filter label of a request (the content type of its Graph windows). */
export function graphFilter(request: Pick<SyncRequest, 'allRecords'>): string {
  return request.allRecords ? 'all' : 'power-platform'
}

/**
 * Ledger entries for the windows a run plans and the ledger does not hold yet: Management
 * windows per content type and, with history, one Graph window per UTC day of `graphSpan`.
 */
export function plannedWindows(args: {
  ledger: Ledger
  request: SyncRequest
  contentTypes: readonly string[]
  management: readonly PlannedWindow[]
  graphSpan: { start: number; end: number } | null
  at: string
}): LedgerDelta {
  const { ledger, request, at } = args
  const delta = emptyDelta()
  const add = (
    source: 'management' | 'graph',
    contentType: string,
    planned: PlannedWindow
  ): void => {
    const key = windowKey(source, request.tenantId, contentType, planned.day)
    if (ledger.windows[key] || delta.windows.some((w) => w.key === key)) {
      return
    }
    delta.windows.push({
      ...newWindow(key, request.tenantId, source, contentType, at),
      start: new Date(planned.start).toISOString(),
      end: new Date(planned.end).toISOString()
    })
  }
  for (const contentType of args.contentTypes) {
    for (const planned of args.management) {
      add('management', contentType, planned)
    }
  }
  if (args.graphSpan) {
    for (const planned of planDayWindows(args.graphSpan.start, args.graphSpan.end)) {
      add('graph', graphFilter(request), planned)
    }
  }
  return delta
}

/** Writes down every window a run plans, before its first request. */
export async function recordPlan(
  ctx: RunContext,
  contentTypes: readonly string[],
  plan: WindowPlan
): Promise<void> {
  const delta = plannedWindows({
    ledger: ctx.ledger,
    request: ctx.request,
    contentTypes,
    management: plan.windows,
    graphSpan: ctx.request.history && ctx.options.graphBase ? plan.unreachable : null,
    at: new Date(ctx.serverNow()).toISOString()
  })
  if (delta.windows.length > 0) {
    await ctx.commit([], delta)
  }
}

/** The tenant's windows inside the requested range that are partial or failed, oldest first. */
export function failedWindows(ledger: Ledger, request: SyncRequest): FailedWindow[] {
  const tenant = request.tenantId.toLowerCase()
  const since = request.since.getTime()
  const until = request.until.getTime()
  return Object.values(ledger.windows)
    .filter(
      (w) =>
        w.tenantId.toLowerCase() === tenant &&
        (w.status === 'partial' || w.status === 'failed') &&
        Date.parse(w.start) < until &&
        Date.parse(w.end) > since
    )
    .sort((a, b) => a.start.localeCompare(b.start) || a.key.localeCompare(b.key))
    .map((w) => ({
      source: w.source,
      contentType: w.contentType,
      start: w.start,
      end: w.end,
      status: w.status,
      error: w.lastError
    }))
}
