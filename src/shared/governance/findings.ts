import type { NormalizedRecord } from '../audit'
import { resolveTimeZone, wallClock } from '../export/time-zone'

import { ActorHistory } from './actor-history'
import { CHANGE_LABELS, KIND_LABELS, resourceKey } from './connector-events'
import type { ChangeKind } from './connector-events'
import { DEFAULT_GOVERNANCE_SETTINGS } from './governance-settings'
import type { GovernanceSettings } from './governance-settings'
import { ResourceIndex } from './resources'
import type { ResourceEvent, ResourceRow } from './resources'

/**
 * Findings: explainable rules run offline over the cache. Each rule is a row of
 * {@link FINDING_RULES} — an id, a title, what it looks for, and how to evaluate it — and each
 * finding it raises carries a plain-language reason and the exact record Ids it rests on.
 * Thresholds come from {@link GovernanceSettings}.
 */

/** How much a finding deserves a look. */
export type FindingSeverity = 'high' | 'medium' | 'low'

/** One thing a rule found. */
export interface FindingItem {
  /** Why, in plain language, naming who, what and when. */
  reason: string
  /** The records it rests on, in time order: the click-through. */
  recordIds: string[]
  /** The resource concerned, when one is. */
  resourceKey: string
  /** The actor concerned, when one is. */
  actor: string
  /** When it happened (the first record's time), UTC epoch ms. */
  at: number
}

/** What a rule sees. */
export interface FindingContext {
  rows: readonly ResourceRow[]
  /** Every resource event, in (time, record Id) order. */
  events: readonly ResourceEvent[]
  history: ActorHistory
  index: ResourceIndex
  settings: GovernanceSettings
}

/** One rule, as data. */
export interface FindingRule {
  id: string
  title: string
  severity: FindingSeverity
  /** What the rule looks for, in plain words, with its thresholds. */
  describe: (settings: GovernanceSettings) => string
  evaluate: (ctx: FindingContext) => FindingItem[]
}

/** One rule's result. */
export interface FindingResult {
  ruleId: string
  title: string
  severity: FindingSeverity
  description: string
  count: number
  items: FindingItem[]
}

const HOUR_MS = 3_600_000
const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']

const ts = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z')

/** Changes people make; a data-policy evaluation is made by the service, not by its actor. */
function isPersonChange(e: ResourceEvent): boolean {
  return e.change !== 'dlp-turned-off'
}

function describeResource(row: Pick<ResourceRow, 'kind' | 'name' | 'resourceId'>): string {
  return `${KIND_LABELS[row.kind]} ${row.name !== '' ? `"${row.name}" (${row.resourceId})` : row.resourceId}`
}

function describeEvent(e: ResourceEvent): string {
  return `${KIND_LABELS[e.kind]} ${e.resourceName !== '' ? `"${e.resourceName}" (${e.resourceId})` : e.resourceId}`
}

function where(row: Pick<ResourceRow, 'environment' | 'environmentName'>): string {
  if (row.environment === '' && row.environmentName === '') {
    return ''
  }
  return ` in environment ${row.environmentName !== '' ? `${row.environmentName} (${row.environment})` : row.environment}`
}

function byAt(a: FindingItem, b: FindingItem): number {
  return (
    a.at - b.at ||
    (a.resourceKey < b.resourceKey ? -1 : a.resourceKey > b.resourceKey ? 1 : 0) ||
    ((a.recordIds[0] ?? '') < (b.recordIds[0] ?? '') ? -1 : 1)
  )
}

function sharedWith(audience: 'organisation' | 'guest') {
  return (ctx: FindingContext): FindingItem[] => {
    const items: FindingItem[] = []
    for (const row of ctx.rows) {
      if (row.kind === 'custom-api' || row.state === 'deleted') {
        continue
      }
      for (const s of row.sharing) {
        if (s.audience !== audience) {
          continue
        }
        items.push({
          reason: `${describeResource(row)}${where(row)} is shared with ${audience === 'organisation' ? 'the whole organisation' : 'a guest'}: ${s.principalName} holds ${s.permission} (${s.audienceReason}), granted by ${s.grant.by || '(unknown actor)'} on ${ts(s.grant.at)}.`,
          recordIds: [s.grant.recordId],
          resourceKey: row.key,
          actor: s.grant.by,
          at: s.grant.at
        })
      }
    }
    return items
  }
}

function shortLivedApis(ctx: FindingContext): FindingItem[] {
  const limitMs = ctx.settings.shortLivedApiHours * HOUR_MS
  const items: FindingItem[] = []
  for (const row of ctx.rows) {
    if (row.kind !== 'custom-api') {
      continue
    }
    let creation: ResourceEvent | null = null
    for (const e of ctx.index.eventsOf(row.key)) {
      if ((e.change === 'create' || e.change === 'create-or-edit') && creation === null) {
        creation = e
      } else if (e.change === 'delete' && creation !== null) {
        const lived = e.at - creation.at
        if (lived <= limitMs) {
          items.push({
            reason: `${describeResource(row)}${where(row)} was created by ${creation.actor || '(unknown actor)'} on ${ts(creation.at)} and deleted by ${e.actor || '(unknown actor)'} ${formatDuration(lived)} later, within ${ctx.settings.shortLivedApiHours} h.`,
            recordIds: [creation.recordId, e.recordId],
            resourceKey: row.key,
            actor: creation.actor,
            at: creation.at
          })
        }
        creation = null
      }
    }
  }
  return items
}

function formatDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000)
  if (minutes < 60) {
    return `${minutes} min`
  }
  const hours = Math.floor(minutes / 60)
  return `${hours} h ${minutes % 60} min`
}

function bursts(changes: readonly ChangeKind[], what: string) {
  const wanted = new Set(changes)
  return (ctx: FindingContext): FindingItem[] => {
    const { windowMinutes, minEvents } = ctx.settings.burst
    const windowMs = windowMinutes * 60_000
    const byActor = new Map<string, ResourceEvent[]>()
    for (const e of ctx.events) {
      if (!wanted.has(e.change) || e.actor === '') {
        continue
      }
      const key = e.actor.toLowerCase()
      const list = byActor.get(key)
      if (list) {
        list.push(e)
      } else {
        byActor.set(key, [e])
      }
    }
    const items: FindingItem[] = []
    for (const list of byActor.values()) {
      const runs: Array<{ start: number; end: number }> = []
      let i = 0
      for (let j = 0; j < list.length; j++) {
        while ((list[j]?.at ?? 0) - (list[i]?.at ?? 0) > windowMs) {
          i += 1
        }
        if (j - i + 1 >= minEvents) {
          const current = runs[runs.length - 1]
          if (current && i <= current.end) {
            current.end = j
          } else {
            runs.push({ start: i, end: j })
          }
        }
      }
      for (const run of runs) {
        const events = list.slice(run.start, run.end + 1)
        const first = events[0]
        const last = events[events.length - 1]
        if (!first || !last) {
          continue
        }
        const resources = new Set(events.map((e) => resourceKey(e.resourceId)))
        items.push({
          reason: `${first.actor} made ${events.length} ${what} between ${ts(first.at)} and ${ts(last.at)} (${formatDuration(last.at - first.at)}) on ${resources.size} resource(s); the threshold is ${minEvents} within ${windowMinutes} min.`,
          recordIds: events.map((e) => e.recordId),
          resourceKey: '',
          actor: first.actor,
          at: first.at
        })
      }
    }
    return items
  }
}

function baselineEnd(ctx: FindingContext): number {
  const start = ctx.history.firstRecord?.at ?? 0
  return start + ctx.settings.baselineDays * 24 * HOUR_MS
}

function baselineWords(ctx: FindingContext): string {
  const start = ctx.history.firstRecord?.at ?? 0
  return `the cache starts ${ts(start)}; the first ${ctx.settings.baselineDays} day(s) are the baseline`
}

function firstTimeActors(ctx: FindingContext): FindingItem[] {
  const end = baselineEnd(ctx)
  const firstChange = new Map<string, ResourceEvent>()
  for (const e of ctx.events) {
    const key = e.actor.toLowerCase()
    if (isPersonChange(e) && key !== '' && !firstChange.has(key)) {
      firstChange.set(key, e)
    }
  }
  const items: FindingItem[] = []
  for (const e of firstChange.values()) {
    if (e.at < end) {
      continue
    }
    const seen = ctx.history.firstSeen(e.actor)
    const before =
      seen && seen.recordId !== e.recordId
        ? `; first seen in other activity on ${ts(seen.at)} (record ${seen.recordId})`
        : '; no earlier record of any kind'
    items.push({
      reason: `${e.actor} made a first connector change: ${CHANGE_LABELS[e.change]} on ${describeEvent(e)} on ${ts(e.at)}${before} (${baselineWords(ctx)}).`,
      recordIds: seen && seen.recordId !== e.recordId ? [seen.recordId, e.recordId] : [e.recordId],
      resourceKey: resourceKey(e.resourceId),
      actor: e.actor,
      at: e.at
    })
  }
  return items
}

function newIpForActor(ctx: FindingContext): FindingItem[] {
  const end = baselineEnd(ctx)
  const items: FindingItem[] = []
  for (const e of ctx.events) {
    if (!isPersonChange(e) || e.actor === '' || e.ip === '' || e.at < end) {
      continue
    }
    const first = ctx.history.firstSeenFrom(e.actor, e.ip)
    if (first?.recordId !== e.recordId) {
      continue
    }
    const others = ctx.history.addressesOf(e.actor).filter((ip) => ip !== e.ip.toLowerCase())
    items.push({
      reason: `${e.actor} made a connector change (${CHANGE_LABELS[e.change]} on ${describeEvent(e)}) on ${ts(e.at)} from ${e.ip}, an address never seen for them before${others.length > 0 ? ` (other addresses: ${others.join(', ')})` : ''} (${baselineWords(ctx)}).`,
      recordIds: [e.recordId],
      resourceKey: resourceKey(e.resourceId),
      actor: e.actor,
      at: e.at
    })
  }
  return items
}

function dlpTurnedOff(ctx: FindingContext): FindingItem[] {
  const rowsByKey = new Map(ctx.rows.map((r) => [r.key, r]))
  const groups = new Map<string, ResourceEvent[]>()
  for (const e of ctx.events) {
    if (e.change !== 'dlp-turned-off') {
      continue
    }
    const key = `${e.policy}\u0000${e.environment}`
    const list = groups.get(key)
    if (list) {
      list.push(e)
    } else {
      groups.set(key, [e])
    }
  }
  const items: FindingItem[] = []
  for (const events of groups.values()) {
    const first = events[0]
    const last = events[events.length - 1]
    if (!first || !last) {
      continue
    }
    const connections = new Set(events.map((e) => resourceKey(e.resourceId)))
    const stillOff = [...connections].filter(
      (key) => rowsByKey.get(key)?.state === 'turned-off'
    ).length
    items.push({
      reason: `${first.policy === '' ? 'A data policy (not named in the records)' : `The data policy ${first.policy}`} turned off ${connections.size} connection(s)${where(first)} between ${ts(first.at)} and ${ts(last.at)}; ${stillOff} still off (no later create event).`,
      recordIds: events.map((e) => e.recordId),
      resourceKey: connections.size === 1 ? ([...connections][0] ?? '') : '',
      actor: '',
      at: first.at
    })
  }
  return items
}

function minutesOf(hhmm: string): number {
  const [h = '0', m = '0'] = hhmm.split(':')
  return Number(h) * 60 + Number(m)
}

const pad2 = (n: number): string => String(n).padStart(2, '0')

/** Connector changes outside working hours, one finding per actor and local day. */
function outsideWorkingHours(ctx: FindingContext): FindingItem[] {
  const w = ctx.settings.workingHours
  const zone = resolveTimeZone(w.timeZone)
  const start = minutesOf(w.start)
  const end = minutesOf(w.end)
  const days = new Set(w.days)
  const hours = `${[...days]
    .sort()
    .map((d) => DAY_NAMES[d])
    .join(', ')} ${w.start}–${w.end} ${zone.label}`
  const groups = new Map<string, { date: string; times: string[]; events: ResourceEvent[] }>()
  for (const e of ctx.events) {
    if (!isPersonChange(e)) {
      continue
    }
    const clock = wallClock(e.at, zone)
    const day = new Date(Date.UTC(clock.year, clock.month - 1, clock.day)).getUTCDay()
    const minute = clock.hour * 60 + clock.minute
    if (days.has(day) && minute >= start && minute < end) {
      continue
    }
    const date = `${DAY_NAMES[day]} ${String(clock.year).padStart(4, '0')}-${pad2(clock.month)}-${pad2(clock.day)}`
    const key = `${e.actor.toLowerCase()}\u0000${date}`
    let group = groups.get(key)
    if (!group) {
      group = { date, times: [], events: [] }
      groups.set(key, group)
    }
    group.times.push(`${pad2(clock.hour)}:${pad2(clock.minute)}`)
    group.events.push(e)
  }
  const items: FindingItem[] = []
  for (const { date, times, events } of groups.values()) {
    const first = events[0]
    if (!first) {
      continue
    }
    const shown = events
      .slice(0, 3)
      .map((e, i) => `${times[i] ?? ''} ${CHANGE_LABELS[e.change]} on ${describeEvent(e)}`)
      .join('; ')
    const resources = new Set(events.map((e) => resourceKey(e.resourceId)))
    items.push({
      reason: `${first.actor || '(unknown actor)'} made ${events.length} connector change(s) on ${date} (${zone.label}) outside working hours (${hours}): ${shown}${events.length > 3 ? `; and ${events.length - 3} more` : ''}.`,
      recordIds: events.map((e) => e.recordId),
      resourceKey: resources.size === 1 ? resourceKey(first.resourceId) : '',
      actor: first.actor,
      at: first.at
    })
  }
  return items
}

/** Every finding rule, in the order reports list them. */
export const FINDING_RULES: readonly FindingRule[] = [
  {
    id: 'shared-with-organisation',
    title: 'Connection or gateway shared with the whole organisation',
    severity: 'high',
    describe: (s) =>
      `A connection or gateway that is not deleted and on which a permission is held by the tenant itself or by one of: ${s.organisationPrincipals.join(', ')}.`,
    evaluate: sharedWith('organisation')
  },
  {
    id: 'shared-with-guests',
    title: 'Connection or gateway shared with guests',
    severity: 'high',
    describe: (s) =>
      `A connection or gateway that is not deleted and on which a permission is held by an external (#EXT#) account, an actor the audit log marks as a guest${s.tenantDomains.length > 0 ? `, or a UPN outside ${s.tenantDomains.join(', ')}` : ''}.`,
    evaluate: sharedWith('guest')
  },
  {
    id: 'short-lived-custom-api',
    title: 'Custom API created and deleted within a day',
    severity: 'medium',
    describe: (s) =>
      `A custom API deleted within ${s.shortLivedApiHours} h of the create (or first create-or-edit) event before it.`,
    evaluate: shortLivedApis
  },
  {
    id: 'deletion-burst',
    title: 'Burst of deletions by one actor',
    severity: 'medium',
    describe: (s) =>
      `At least ${s.burst.minEvents} deletions of connections, custom APIs or gateways by one actor within ${s.burst.windowMinutes} min.`,
    evaluate: bursts(['delete'], 'deletions')
  },
  {
    id: 'permission-burst',
    title: 'Burst of permission changes by one actor',
    severity: 'medium',
    describe: (s) =>
      `At least ${s.burst.minEvents} permission grants or removals by one actor within ${s.burst.windowMinutes} min.`,
    evaluate: bursts(['permission-grant', 'permission-remove'], 'permission changes')
  },
  {
    id: 'first-time-actor',
    title: 'First-time actor on connector changes',
    severity: 'low',
    describe: (s) =>
      `The first connector change of an actor, when it comes after the first ${s.baselineDays} day(s) of the cache.`,
    evaluate: firstTimeActors
  },
  {
    id: 'new-ip-for-actor',
    title: 'Connector change from an address never seen for the actor',
    severity: 'low',
    describe: (s) =>
      `A connector change from an IP address the actor had not used in any earlier record, after the first ${s.baselineDays} day(s) of the cache.`,
    evaluate: newIpForActor
  },
  {
    id: 'dlp-turned-off',
    title: 'Connections turned off by a data policy',
    severity: 'medium',
    describe: () =>
      'Connections a data (DLP) policy turned off, grouped by policy and environment.',
    evaluate: dlpTurnedOff
  },
  {
    id: 'outside-working-hours',
    title: 'Connector changes outside working hours',
    severity: 'low',
    describe: (s) =>
      `Connector changes, one finding per actor and day, made outside ${s.workingHours.start}–${s.workingHours.end} (${s.workingHours.timeZone}) on working days ${s.workingHours.days.map((d) => DAY_NAMES[d]).join(', ')}.`,
    evaluate: outsideWorkingHours
  }
]

/** Runs the rules over a fold; disabled rules are left out. */
export function runFindings(
  index: ResourceIndex,
  history: ActorHistory,
  settings: GovernanceSettings = DEFAULT_GOVERNANCE_SETTINGS,
  rules: readonly FindingRule[] = FINDING_RULES
): FindingResult[] {
  const ctx: FindingContext = {
    rows: index.rows(settings),
    events: index.allEvents(),
    history,
    index,
    settings
  }
  const disabled = new Set(settings.disabledRules)
  return rules
    .filter((r) => !disabled.has(r.id))
    .map((rule) => {
      const items = rule.evaluate(ctx).sort(byAt)
      return {
        ruleId: rule.id,
        title: rule.title,
        severity: rule.severity,
        description: rule.describe(settings),
        count: items.length,
        items
      }
    })
}

/** One pass over records: the resource index and the actor history the findings need. */
export class GovernanceFold {
  readonly index = new ResourceIndex()
  readonly history = new ActorHistory()

  /** Folds one record (any order). */
  add(record: NormalizedRecord): void {
    this.index.add(record)
    this.history.add(record)
  }

  /** Resource rows. */
  rows(settings: GovernanceSettings = DEFAULT_GOVERNANCE_SETTINGS): ResourceRow[] {
    return this.index.rows(settings)
  }

  /** Findings. */
  findings(settings: GovernanceSettings = DEFAULT_GOVERNANCE_SETTINGS): FindingResult[] {
    return runFindings(this.index, this.history, settings)
  }
}
