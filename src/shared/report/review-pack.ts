import { coverage } from '../acquisition'
import type { HourStatus, Ledger } from '../acquisition'
import type { NormalizedRecord } from '../audit'
import { Stacker } from '../explorer/stacking'
import type { Stack } from '../explorer/stacking'
import { CHANGE_LABELS, KIND_LABELS } from '../governance/connector-events'
import { GovernanceFold } from '../governance/findings'
import type { FindingResult } from '../governance/findings'
import { DEFAULT_GOVERNANCE_SETTINGS } from '../governance/governance-settings'
import type { GovernanceSettings } from '../governance/governance-settings'
import type { ResourceRow } from '../governance/resources'

/**
 * The review pack's content, computed in one pass over the records: cover facts, summary counts,
 * resources, findings, the events-over-time histogram and the coverage strip. Writers (XLSX in
 * main, HTML here) render it; the records themselves are streamed by the writers in a second
 * pass, so the model stays small whatever the cache holds.
 */

/** Where the pack's records came from. */
export interface PackOrigin {
  /** `store` for a CLI store, `snapshot` for a snapshot file. */
  kind: 'store' | 'snapshot'
  /** The store folder or snapshot file. */
  path: string
  /** The snapshot's fingerprint (manifest SHA-256) when made from a verified snapshot. */
  fingerprint: string | null
  /** What verification said, in a few words (`intact: 5 parts verified`). */
  verification: string | null
  /** When the snapshot was made (its manifest), else null. */
  snapshotCreatedAt: string | null
}

/** One bar of the histogram. */
export interface HistogramBar {
  /** Bucket start, UTC epoch ms. */
  start: number
  count: number
}

/** A run of hours with one coverage status. */
export interface CoverageRun {
  /** First hour, UTC epoch ms. */
  start: number
  hours: number
  status: HourStatus
  reason: string
}

/** Everything a pack shows except the records. */
export interface ReviewPackModel {
  title: string
  generatedAt: string
  appVersion: string
  origin: PackOrigin
  /** First and last event time, UTC epoch ms; null when there are no records. */
  period: { start: number; end: number } | null
  recordCount: number
  connectorEventCount: number
  /** How records came in: provenance sources (file, content id) and ledger windows by source. */
  sources: Array<{ source: string; records: number }>
  ledgerWindows: Record<string, number>
  coverage: { hours: number; counts: Record<HourStatus, number>; runs: CoverageRun[] }
  summaries: { category: Stack; activity: Stack; environment: Stack; actor: Stack }
  resources: ResourceRow[]
  findings: FindingResult[]
  /** Connector records that name no resource (listed, not dropped). */
  unattributed: Array<{ recordId: string; reason: string }>
  histogram: { bucketMs: number; bucketLabel: string; bars: HistogramBar[] }
  settings: GovernanceSettings
}

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS
const MAX_COVERAGE_DAYS = 400
const MAX_SOURCES = 50

/** Options of {@link ReviewPackBuilder.finish}. */
export interface FinishOptions {
  ledger: Ledger
  origin: PackOrigin
  now: Date
  appVersion: string
  settings?: GovernanceSettings
}

/** One pass over records (any order); then {@link finish} with the ledger and where it came from. */
export class ReviewPackBuilder {
  private readonly fold = new GovernanceFold()
  private readonly category = new Stacker<NormalizedRecord>([(r) => r.category])
  private readonly activity = new Stacker<NormalizedRecord>([(r) => r.activity || r.operation])
  private readonly environment = new Stacker<NormalizedRecord>([
    (r) => (r.environmentName !== '' ? `${r.environmentName} (${r.environment})` : r.environment)
  ])
  private readonly actor = new Stacker<NormalizedRecord>([(r) => r.userId])
  private readonly hours = new Map<number, number>()
  private readonly sources = new Map<string, number>()
  private count = 0
  private connectorEvents = 0
  private first = Number.POSITIVE_INFINITY
  private last = Number.NEGATIVE_INFINITY

  /** Adds one record. */
  add(record: NormalizedRecord): void {
    this.count += 1
    if (record.isConnectorEvent) {
      this.connectorEvents += 1
    }
    this.fold.add(record)
    this.category.add(record)
    this.activity.add(record)
    this.environment.add(record)
    this.actor.add(record)
    const hour = Math.floor(record.createdAtMs / HOUR_MS) * HOUR_MS
    this.hours.set(hour, (this.hours.get(hour) ?? 0) + 1)
    this.first = Math.min(this.first, record.createdAtMs)
    this.last = Math.max(this.last, record.createdAtMs)
    const source = record.provenance?.source ?? '(acquired, no provenance)'
    if (this.sources.has(source) || this.sources.size < MAX_SOURCES) {
      this.sources.set(source, (this.sources.get(source) ?? 0) + 1)
    } else {
      this.sources.set('(other sources)', (this.sources.get('(other sources)') ?? 0) + 1)
    }
  }

  /** The model. */
  finish(options: FinishOptions): ReviewPackModel {
    const settings = options.settings ?? DEFAULT_GOVERNANCE_SETTINGS
    const period = this.count === 0 ? null : { start: this.first, end: this.last }
    const ledgerWindows: Record<string, number> = {}
    for (const w of Object.values(options.ledger.windows)) {
      const key = `${w.source} ${w.status}`
      ledgerWindows[key] = (ledgerWindows[key] ?? 0) + 1
    }
    return {
      title: 'Connector audit review pack',
      generatedAt: options.now.toISOString(),
      appVersion: options.appVersion,
      origin: options.origin,
      period,
      recordCount: this.count,
      connectorEventCount: this.connectorEvents,
      sources: [...this.sources]
        .map(([source, records]) => ({ source, records }))
        .sort((a, b) => b.records - a.records || (a.source < b.source ? -1 : 1)),
      ledgerWindows,
      coverage: coverageOf(options.ledger, period, options.now),
      summaries: {
        category: this.category.result(),
        activity: this.activity.result(),
        environment: this.environment.result(),
        actor: this.actor.result()
      },
      resources: this.fold.rows(settings),
      findings: this.fold.findings(settings),
      unattributed: [...this.fold.index.unattributedRecords()],
      histogram: histogram(this.hours, period),
      settings
    }
  }
}

function coverageOf(
  ledger: Ledger,
  period: { start: number; end: number } | null,
  now: Date
): ReviewPackModel['coverage'] {
  const counts: Record<HourStatus, number> = {
    complete: 0,
    partial: 0,
    gap: 0,
    pending: 0,
    imported: 0
  }
  if (period === null || Object.keys(ledger.windows).length === 0) {
    return { hours: 0, counts, runs: [] }
  }
  const start = Math.floor(period.start / HOUR_MS) * HOUR_MS
  const end = Math.min(
    Math.floor(period.end / HOUR_MS) * HOUR_MS + HOUR_MS,
    start + MAX_COVERAGE_DAYS * DAY_MS
  )
  const hours = coverage(ledger, { start: new Date(start), end: new Date(end) }, now)
  const runs: CoverageRun[] = []
  for (const h of hours) {
    counts[h.status] += 1
    const lastRun = runs[runs.length - 1]
    if (lastRun && lastRun.status === h.status && lastRun.reason === h.reason) {
      lastRun.hours += 1
    } else {
      runs.push({ start: Date.parse(h.hour), hours: 1, status: h.status, reason: h.reason })
    }
  }
  return { hours: hours.length, counts, runs }
}

function histogram(
  hours: ReadonlyMap<number, number>,
  period: { start: number; end: number } | null
): ReviewPackModel['histogram'] {
  if (period === null) {
    return { bucketMs: HOUR_MS, bucketLabel: 'hour', bars: [] }
  }
  const span = period.end - period.start
  const [bucketMs, bucketLabel] =
    span <= 3 * DAY_MS
      ? [HOUR_MS, 'hour']
      : span <= 180 * DAY_MS
        ? [DAY_MS, 'day']
        : [7 * DAY_MS, 'week']
  const first = Math.floor(period.start / bucketMs) * bucketMs
  const last = Math.floor(period.end / bucketMs) * bucketMs
  const counts = new Map<number, number>()
  for (const [hour, n] of hours) {
    const bucket = Math.floor(hour / bucketMs) * bucketMs
    counts.set(bucket, (counts.get(bucket) ?? 0) + n)
  }
  const bars: HistogramBar[] = []
  for (let t = first; t <= last; t += bucketMs) {
    bars.push({ start: t, count: counts.get(t) ?? 0 })
  }
  return { bucketMs, bucketLabel, bars }
}

/** A resource row's sharing as one line of text (`bob@x: CanEdit since … (granted by a, record r)`). */
export function sharingText(row: ResourceRow): string {
  return row.sharing
    .map(
      (s) =>
        `${s.principalName}: ${s.permission} since ${isoSeconds(s.since)}${s.isCreator ? ' (creator)' : ` (granted by ${s.grant.by || 'unknown'}, record ${s.grant.recordId})`}${s.audience !== 'person' ? ` [${s.audience}]` : ''}`
    )
    .join('; ')
}

/** Plain words for a resource's kind and last change. */
export function resourceWords(row: ResourceRow): { kind: string; lastChange: string } {
  return { kind: KIND_LABELS[row.kind], lastChange: CHANGE_LABELS[row.lastChange.change] }
}

/** `2026-05-19T10:00:00Z`. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z')
}
