import type { EmulatorClock } from './clock'
import {
  STRAGGLER_INDEX,
  blobRanges,
  blobRecords,
  hourOf,
  maxBlobDelayMs,
  planHour,
  recordIds
} from './generator'
import type { AuditRecord, BlobPlan, ContentType, GeneratorConfig, TenantWorld } from './generator'
import { CONTENT_TYPES } from './generator'

/** Subscription state of one content type. */
interface Subscription {
  isEnabled: boolean
  intervals: Array<{ from: number; to?: number }>
  lastStartAt?: number
  /** "restart too soon": /list hides it and /content answers AF20023 until then. */
  lagUntil?: number
}

/** Where a blob lookup ended. */
export type BlobLookup =
  | { ok: true; plan: BlobPlan; records: AuditRecord[] }
  | { ok: false; code: 'AF20050' | 'AF20051' | 'AF20052' | 'AF20023' | 'AF20022' }

const DAY = 86_400_000
const HOUR = 3_600_000

/** Formats `yyyyMMddHHmmss` + 9 fraction digits. */
function stamp(ms: number, fraction9: string): string {
  const iso = new Date(ms).toISOString()
  return iso.slice(0, 19).replace(/[-:T]/g, '') + fraction9
}

/**
 * The tenant's content: subscriptions, blob listing and blob bodies. Everything is derived from
 * the generator plan, so nothing is stored but subscription state.
 */
export class ContentStore {
  private readonly subs = new Map<ContentType, Subscription>()

  constructor(
    private readonly deps: {
      cfg: GeneratorConfig
      world: TenantWorld
      clock: EmulatorClock
      preSubscribed: readonly ContentType[]
      firstContentDelayMinutes: () => number
      restartRuleMinutes: () => number
    }
  ) {
    const since = deps.clock.now().getTime() - 60 * DAY
    for (const ct of deps.preSubscribed) {
      this.subs.set(ct, { isEnabled: true, intervals: [{ from: since }], lastStartAt: since })
    }
  }

  /** Canonical content type for a caller's spelling, or undefined. */
  static canonical(value: string): ContentType | undefined {
    return CONTENT_TYPES.find((ct) => ct.toLowerCase() === value.toLowerCase())
  }

  /** Starts a subscription: 'started', or 'unchanged' (→ AF20024). */
  start(ct: ContentType): 'started' | 'unchanged' {
    const now = this.deps.clock.now().getTime()
    const sub = this.subs.get(ct)
    if (sub?.isEnabled) {
      return 'unchanged'
    }
    const restartRule = this.deps.restartRuleMinutes() * 60_000
    const lagUntil =
      sub?.lastStartAt !== undefined && now - sub.lastStartAt < restartRule
        ? sub.lastStartAt + restartRule
        : undefined
    const next: Subscription = {
      isEnabled: true,
      intervals: [...(sub?.intervals ?? []), { from: now }],
      lastStartAt: now,
      lagUntil
    }
    this.subs.set(ct, next)
    return 'started'
  }

  /** Stops a subscription; false when there was none enabled. */
  stop(ct: ContentType): boolean {
    const sub = this.subs.get(ct)
    if (!sub?.isEnabled) {
      return false
    }
    const now = this.deps.clock.now().getTime()
    const last = sub.intervals[sub.intervals.length - 1]
    if (last) {
      last.to = now
    }
    sub.isEnabled = false
    return true
  }

  /** The /subscriptions/list view. */
  list(): Array<{ contentType: ContentType; status: 'enabled' | 'disabled'; webhook: null }> {
    const now = this.deps.clock.now().getTime()
    const out: Array<{ contentType: ContentType; status: 'enabled' | 'disabled'; webhook: null }> =
      []
    for (const ct of CONTENT_TYPES) {
      const sub = this.subs.get(ct)
      if (!sub || (sub.lagUntil !== undefined && now < sub.lagUntil)) {
        continue
      }
      out.push({ contentType: ct, status: sub.isEnabled ? 'enabled' : 'disabled', webhook: null })
    }
    return out
  }

  /** Whether content of a type can be served now. */
  serving(ct: ContentType): 'ok' | 'AF20022' | 'AF20023' {
    const sub = this.subs.get(ct)
    if (!sub) {
      return 'AF20022'
    }
    const now = this.deps.clock.now().getTime()
    if (!sub.isEnabled || (sub.lagUntil !== undefined && now < sub.lagUntil)) {
      return 'AF20023'
    }
    return 'ok'
  }

  private isListable(plan: BlobPlan, now: number): boolean {
    if (plan.availableAt > now) {
      return false
    }
    const sub = this.subs.get(plan.contentType)
    if (!sub) {
      return false
    }
    const delay = this.deps.firstContentDelayMinutes() * 60_000
    return sub.intervals.some(
      (i) =>
        plan.contentCreated >= i.from &&
        (i.to === undefined || plan.contentCreated < i.to) &&
        now >= i.from + delay
    )
  }

  /** Blobs with `start <= contentCreated < end`, available now, in availability order. */
  listBlobs(ct: ContentType, start: number, end: number): BlobPlan[] {
    const now = this.deps.clock.now().getTime()
    const first = hourOf(start - maxBlobDelayMs(this.deps.cfg))
    const last = hourOf(Math.min(end, now))
    const out: BlobPlan[] = []
    for (let h = first; h <= last; h++) {
      for (const plan of planHour(this.deps.cfg, ct, h)) {
        if (
          plan.contentCreated >= start &&
          plan.contentCreated < end &&
          this.isListable(plan, now)
        ) {
          out.push(plan)
        }
      }
    }
    return out.sort((a, b) => a.availableAt - b.availableAt || a.contentCreated - b.contentCreated)
  }

  /** The opaque content id of a blob (observed shape, reference §2.7). */
  contentId(plan: BlobPlan): string {
    const created = stamp(
      plan.contentCreated,
      String(plan.contentCreated % 1000).padStart(3, '0') + '000000'
    )
    const key = stamp(plan.hour * HOUR, String(plan.index).padStart(9, '0'))
    const lower = plan.contentType.toLowerCase().replace(/\./g, '_')
    const under = plan.contentType.replace(/\./g, '_')
    const region = plan.hour % 2 === 0 ? 'emea0036' : 'na0020'
    return `${created}$${key}$${lower}$${under}$${region}`
  }

  /** Finds a blob by content id and returns its records (with duplicates as planned). */
  lookup(contentId: string): BlobLookup {
    const m = /^(\d{23})\$(\d{14})(\d{9})\$([a-z_.]+)\$([A-Za-z_.]+)\$([a-z]+\d+)$/.exec(contentId)
    if (!m?.[1] || !m[2] || !m[3] || !m[5]) {
      return { ok: false, code: 'AF20052' }
    }
    const ct = ContentStore.canonical(m[5].replace(/_/g, '.'))
    const k = m[2]
    const hourMs = Date.UTC(+k.slice(0, 4), +k.slice(4, 6) - 1, +k.slice(6, 8), +k.slice(8, 10))
    if (!ct || Number.isNaN(hourMs)) {
      return { ok: false, code: 'AF20052' }
    }
    const serving = this.serving(ct)
    if (serving !== 'ok') {
      return { ok: false, code: serving }
    }
    const index = Number(m[3])
    const plans = planHour(this.deps.cfg, ct, hourOf(hourMs))
    const plan = plans.find((p) => p.index === index)
    const now = this.deps.clock.now().getTime()
    if (!plan || this.contentId(plan) !== contentId || !this.isListable(plan, now)) {
      return { ok: false, code: 'AF20050' }
    }
    if (now >= plan.contentCreated + 7 * DAY) {
      return { ok: false, code: 'AF20051' }
    }
    return { ok: true, plan, records: this.records(plan, plans) }
  }

  /** The records of a blob. */
  records(
    plan: BlobPlan,
    plans = planHour(this.deps.cfg, plan.contentType, plan.hour)
  ): AuditRecord[] {
    return blobRecords(this.deps.cfg, this.deps.world, plan, this.previous(plan, plans))
  }

  private previous(plan: BlobPlan, plans: BlobPlan[]): BlobPlan | undefined {
    return plan.index === STRAGGLER_INDEX
      ? plans.find((p) => p.index === 0)
      : plans.find((p) => p.index === plan.index - 1)
  }

  /** Unique event ids in blobs listable now whose contentCreated is in [start, end). */
  groundTruth(start: number, end: number, contentType?: string): Set<string> {
    const types = contentType ? [ContentStore.canonical(contentType)] : CONTENT_TYPES
    const ids = new Set<string>()
    for (const ct of types) {
      if (!ct) {
        continue
      }
      for (const plan of this.listBlobs(ct, start, end)) {
        const plans = planHour(this.deps.cfg, ct, plan.hour)
        for (const [from, to] of blobRanges(plan, this.previous(plan, plans))) {
          for (const id of recordIds(this.deps.cfg, ct, plan.hour, from, to)) {
            ids.add(id)
          }
        }
      }
    }
    return ids
  }
}
