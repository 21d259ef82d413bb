import type { NormalizedRecord } from '../audit'

import { CHANGE_LABELS, classifyConnectorRecord, policyOf, resourceKey } from './connector-events'
import type { ChangeKind, ResourceKind } from './connector-events'
import { DEFAULT_GOVERNANCE_SETTINGS } from './governance-settings'
import type { GovernanceSettings } from './governance-settings'
import { PrincipalDirectory } from './principals'
import type { Audience } from './principals'

/**
 * Resources: one row per connection, custom API and gateway seen in the cache, derived from its
 * connector events, and each resource's timeline.
 *
 * {@link ResourceIndex} folds records in any order (each record once: a repeated Id is ignored);
 * rows and timelines are computed from the events sorted by (time, record Id), so the answer does
 * not depend on the order records arrived in. One pass, Maps only.
 */

/** One connector event of a resource, as kept by the index. */
export interface ResourceEvent {
  recordId: string
  /** Event time, UTC epoch ms. */
  at: number
  change: ChangeKind
  /** The rule that classified the record (`Operation PutConnection`). */
  basis: string
  operation: string
  kind: ResourceKind
  /** The resource id exactly as this record wrote it. */
  resourceId: string
  actor: string
  actorKey: string
  ip: string
  environment: string
  environmentName: string
  connector: string
  resourceName: string
  /** The permission granted (grants), `''` otherwise. */
  permission: string
  /** The principal of a permission change, `''` when the record names none. */
  principal: string
  /** The data policy a DLP evaluation names, `''` when none. */
  policy: string
}

/** A point in a resource's history: when, who, and which record. */
export interface EventRef {
  at: number
  by: string
  recordId: string
}

/** One holder of a permission on a resource, net of grants and removals. */
export interface SharingEntry {
  /** The principal id as the grant named it. */
  principal: string
  /** Its UPN when some record in the cache names it, else the id. */
  principalName: string
  permission: string
  /** Who it reaches (organisation, guest, person), and why. */
  audience: Audience
  audienceReason: string
  /** When the principal's current, unbroken access began. */
  since: number
  /** The event that granted the current permission (the latest grant). */
  grant: EventRef
  /** True when the holder is the creator (from the create event, not a grant). */
  isCreator: boolean
}

/** What a resource's events say about it now. */
export type ResourceState = 'active' | 'deleted' | 'turned-off'

/** One resource row. */
export interface ResourceRow {
  /** The grouping key (see {@link resourceKey}). */
  key: string
  /** The id as its earliest record wrote it. */
  resourceId: string
  kind: ResourceKind
  name: string
  environment: string
  environmentName: string
  connector: string
  /** The create event, or null when the cache holds none ({@link createdBasis} says why). */
  created: EventRef | null
  createdBasis: string
  firstSeen: EventRef
  lastChange: EventRef & { change: ChangeKind }
  eventCount: number
  state: ResourceState
  /** What the state rests on, in words, with the record it comes from. */
  stateBasis: string
  /** Record Id the state rests on. */
  stateRecordId: string
  /** Current holders (none once the resource is deleted). */
  sharing: SharingEntry[]
  /** The data policy that turned it off, when `state` is `turned-off` and the record names one. */
  policy: string
  /** Things that do not add up (events after a deletion, kinds that disagree, removals of nobody). */
  notes: string[]
}

/** One timeline line: an event with permission changes as before/after. */
export interface TimelineEntry extends ResourceEvent {
  /** The principal's UPN when known. */
  principalName: string
  /** Permission of the principal before/after this event (`''` = none); null for other events. */
  permissionBefore: string | null
  permissionAfter: string | null
  /** The change in words (`permission removed: CanEdit → none`). */
  summary: string
}

/** A connector record the index could not attribute to a resource. */
export interface UnattributedRecord {
  recordId: string
  reason: string
}

const ts = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z')

function byTime(a: ResourceEvent, b: ResourceEvent): number {
  return a.at - b.at || (a.recordId < b.recordId ? -1 : a.recordId > b.recordId ? 1 : 0)
}

function ref(e: ResourceEvent): EventRef {
  return { at: e.at, by: e.actor, recordId: e.recordId }
}

/** The fold: add records (any order, any number of times), then read rows and timelines. */
export class ResourceIndex {
  /** Learns principal names from every record added. */
  readonly directory = new PrincipalDirectory()
  private readonly events = new Map<string, ResourceEvent[]>()
  private readonly sorted = new Set<string>()
  private readonly seen = new Set<string>()
  private readonly unattributed: UnattributedRecord[] = []
  private readonly strings = new Map<string, string>()
  /** Rows already computed for `cachedFor`; a key is dropped when its events change. */
  private readonly cachedRows = new Map<string, ResourceRow>()
  private cachedFor: GovernanceSettings | null = null

  /** Adds one record; returns true when it is a (new) connector resource event. */
  add(record: NormalizedRecord): boolean {
    if (this.directory.learn(record)) {
      // Names and audiences of principals may change in any row.
      this.cachedRows.clear()
    }
    const change = classifyConnectorRecord(record)
    if (change === null || this.seen.has(record.id)) {
      return false
    }
    this.seen.add(record.id)
    if (record.resource.trim() === '') {
      this.unattributed.push({
        recordId: record.id,
        reason: `${change.basis} (${CHANGE_LABELS[change.change]}) names no resource id`
      })
      return false
    }
    const key = resourceKey(record.resource)
    const s = (text: string): string => this.intern(text)
    const event: ResourceEvent = {
      recordId: record.id,
      at: record.createdAtMs,
      change: change.change,
      basis: s(change.basis),
      operation: s(record.operation),
      kind: change.kind,
      resourceId: record.resource,
      actor: s(record.userId),
      actorKey: s(record.userKey),
      ip: s(record.clientIp),
      environment: s(record.environment),
      environmentName: s(record.environmentName),
      connector: s(record.connector),
      resourceName: s(record.resourceName),
      permission: s(record.permissionType),
      principal: s(record.targetUserId),
      policy: change.change === 'dlp-turned-off' ? s(policyOf(record)) : ''
    }
    let list = this.events.get(key)
    if (!list) {
      list = []
      this.events.set(key, list)
    }
    list.push(event)
    this.sorted.delete(key)
    this.cachedRows.delete(key)
    return true
  }

  /** Adds many records. */
  addAll(records: Iterable<NormalizedRecord>): this {
    for (const r of records) {
      this.add(r)
    }
    return this
  }

  /** Number of resources. */
  get size(): number {
    return this.events.size
  }

  /** Connector records that name no resource, with the reason. */
  unattributedRecords(): readonly UnattributedRecord[] {
    return [...this.unattributed].sort((a, b) => (a.recordId < b.recordId ? -1 : 1))
  }

  /** Every resource event, sorted by (time, record Id). */
  allEvents(): ResourceEvent[] {
    const out: ResourceEvent[] = []
    for (const key of this.events.keys()) {
      out.push(...this.eventsOf(key))
    }
    return out.sort(byTime)
  }

  /** A resource's events in order (empty for an unknown key). */
  eventsOf(key: string): readonly ResourceEvent[] {
    const list = this.events.get(resourceKey(key))
    if (!list) {
      return []
    }
    if (!this.sorted.has(resourceKey(key))) {
      list.sort(byTime)
      this.sorted.add(resourceKey(key))
    }
    return list
  }

  /** Every resource row, most recently changed first (then by key). */
  rows(settings: GovernanceSettings = DEFAULT_GOVERNANCE_SETTINGS): ResourceRow[] {
    const rows: ResourceRow[] = []
    for (const key of this.events.keys()) {
      rows.push(this.cachedRow(key, settings))
    }
    return rows.sort(
      (a, b) => b.lastChange.at - a.lastChange.at || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
    )
  }

  /** One resource's row, or null for an unknown id. */
  row(resourceId: string, settings = DEFAULT_GOVERNANCE_SETTINGS): ResourceRow | null {
    const key = resourceKey(resourceId)
    return this.events.has(key) ? this.cachedRow(key, settings) : null
  }

  /** One resource's timeline: every event in order, permission changes as before/after. */
  timeline(resourceId: string, settings = DEFAULT_GOVERNANCE_SETTINGS): TimelineEntry[] {
    return this.events.has(resourceKey(resourceId))
      ? this.replay(resourceKey(resourceId), settings, true).timeline
      : []
  }

  private cachedRow(key: string, settings: GovernanceSettings): ResourceRow {
    if (this.cachedFor !== settings) {
      this.cachedRows.clear()
      this.cachedFor = settings
    }
    let row = this.cachedRows.get(key)
    if (row === undefined) {
      row = this.replay(key, settings, false).row
      this.cachedRows.set(key, row)
    }
    return row
  }

  private intern(text: string): string {
    const known = this.strings.get(text)
    if (known !== undefined) {
      return known
    }
    if (this.strings.size < 100_000) {
      this.strings.set(text, text)
    }
    return text
  }

  /** Walks a resource's events in order: its row and its timeline in one pass. */
  private replay(
    key: string,
    settings: GovernanceSettings,
    withTimeline: boolean
  ): { row: ResourceRow; timeline: TimelineEntry[] } {
    const events = this.eventsOf(key)
    const first = events[0]
    const last = events[events.length - 1]
    if (!first || !last) {
      throw new Error(`[governance] resource ${key} has no events`)
    }
    const notes: string[] = []
    const holders = new Map<string, SharingEntry>()
    const timeline: TimelineEntry[] = []
    let created: ResourceEvent | null = null
    let createdIsAmbiguous = false
    let lastCreate: ResourceEvent | null = null
    let deleted: ResourceEvent | null = null
    let turnedOff: ResourceEvent | null = null
    const kinds = new Map<ResourceKind, number>()
    let environment = ''
    let environmentName = ''
    let connector = ''
    let name = ''

    for (const e of events) {
      kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1)
      environment = e.environment || environment
      environmentName = e.environmentName || environmentName
      connector = e.connector || connector
      name = e.resourceName || name
      const principalKey = e.principal.trim().toLowerCase()
      const before = principalKey === '' ? undefined : holders.get(principalKey)
      let summary: string = CHANGE_LABELS[e.change]
      let permissionBefore: string | null = null
      let permissionAfter: string | null = null
      if (deleted !== null && e.change !== 'create' && e.change !== 'create-or-edit') {
        notes.push(
          `${CHANGE_LABELS[e.change]} on ${ts(e.at)} (${e.recordId}) after the deletion of ${ts(deleted.at)}`
        )
      }
      switch (e.change) {
        case 'create':
        case 'create-or-edit': {
          const isNewIncarnation = lastCreate === null || deleted !== null
          if (isNewIncarnation) {
            if (deleted !== null) {
              summary = `${summary} (re-created after the deletion of ${ts(deleted.at)})`
              holders.clear()
            }
            if (created === null || e.change === 'create') {
              if (created === null || createdIsAmbiguous) {
                created = e
                createdIsAmbiguous = e.change === 'create-or-edit'
              }
            }
            deleted = null
            turnedOff = null
            if (e.actor !== '') {
              const actorKey = (e.actorKey || e.actor).toLowerCase()
              holders.set(actorKey, {
                principal: e.actorKey || e.actor,
                principalName: e.actor,
                permission: 'Owner (creator)',
                audience: 'person',
                audienceReason: '',
                since: e.at,
                grant: ref(e),
                isCreator: true
              })
            }
          } else if (created !== null && createdIsAmbiguous && e.change === 'create') {
            created = e
            createdIsAmbiguous = false
          }
          lastCreate = e
          break
        }
        case 'delete':
          deleted = e
          holders.clear()
          break
        case 'dlp-turned-off':
          turnedOff = e
          if (e.policy !== '') {
            summary = `${summary} (${e.policy})`
          }
          break
        case 'permission-grant': {
          permissionBefore = before?.permission ?? ''
          if (principalKey === '') {
            notes.push(`permission grant ${e.recordId} names no principal`)
            permissionAfter = ''
            summary = `${summary}: no principal named`
            break
          }
          const permission = e.permission || '(permission not named)'
          const principalName = this.directory.nameOf(e.principal)
          const audience = this.directory.audienceOf(e.principal, settings)
          holders.set(principalKey, {
            principal: e.principal,
            principalName,
            permission,
            audience: audience.audience,
            audienceReason: audience.reason,
            since: before?.since ?? e.at,
            grant: ref(e),
            isCreator: false
          })
          permissionAfter = permission
          summary = `${summary}: ${principalName} ${permissionBefore || 'none'} → ${permission}`
          break
        }
        case 'permission-remove': {
          permissionBefore = before?.permission ?? ''
          permissionAfter = ''
          if (principalKey === '') {
            notes.push(`permission removal ${e.recordId} names no principal`)
            summary = `${summary}: no principal named`
            break
          }
          if (before === undefined) {
            notes.push(
              `permission removal ${e.recordId} for ${this.directory.nameOf(e.principal)}, who held nothing in the cache`
            )
          }
          holders.delete(principalKey)
          summary = `${summary}: ${this.directory.nameOf(e.principal)} ${permissionBefore || 'none'} → none`
          break
        }
        case 'edit':
        case 'solution-aware':
          break
      }
      if (withTimeline) {
        timeline.push({
          ...e,
          principalName: e.principal === '' ? '' : this.directory.nameOf(e.principal),
          permissionBefore,
          permissionAfter,
          summary
        })
      }
    }

    let kind = first.kind
    if (kinds.size > 1) {
      let best = 0
      for (const [k, n] of kinds) {
        if (n > best || (n === best && k < kind)) {
          kind = k
          best = n
        }
      }
      notes.push(
        `records disagree on the kind: ${[...kinds].map(([k, n]) => `${n} say ${k}`).join(', ')}`
      )
    }

    let createdBasis: string
    if (created === null) {
      createdBasis = `no create event in the cache: first seen ${ts(first.at)} (${CHANGE_LABELS[first.change]}, record ${first.recordId})`
    } else if (createdIsAmbiguous) {
      createdBasis = `first "${CHANGE_LABELS[created.change]}" event in the cache (${created.basis}, record ${created.recordId}); the record does not say whether it created or edited`
    } else {
      createdBasis = `${created.basis}, record ${created.recordId}`
    }

    let state: ResourceState = 'active'
    let stateBasis: string
    let stateRecordId: string
    let policy = ''
    if (deleted !== null) {
      state = 'deleted'
      stateBasis = `deleted ${ts(deleted.at)} by ${deleted.actor || '(unknown actor)'} (${deleted.basis}, record ${deleted.recordId})`
      stateRecordId = deleted.recordId
    } else if (turnedOff !== null) {
      state = 'turned-off'
      policy = turnedOff.policy
      stateBasis = `turned off by ${turnedOff.policy === '' ? 'a data policy (the record names none)' : `the data policy ${turnedOff.policy}`} ${ts(turnedOff.at)} (record ${turnedOff.recordId}); no later create event`
      stateRecordId = turnedOff.recordId
    } else if (lastCreate !== null) {
      stateBasis = `no delete or data-policy event after ${CHANGE_LABELS[lastCreate.change]} ${ts(lastCreate.at)} (record ${lastCreate.recordId})`
      stateRecordId = lastCreate.recordId
    } else {
      stateBasis = `no create, delete or data-policy event in the cache: first seen ${ts(first.at)} (record ${first.recordId}), last seen ${ts(last.at)}`
      stateRecordId = first.recordId
    }

    const row: ResourceRow = {
      key,
      resourceId: first.resourceId,
      kind,
      name,
      environment,
      environmentName,
      connector,
      created: created === null ? null : ref(created),
      createdBasis,
      firstSeen: ref(first),
      lastChange: { ...ref(last), change: last.change },
      eventCount: events.length,
      state,
      stateBasis,
      stateRecordId,
      sharing: [...holders.values()].sort(
        (a, b) =>
          Number(b.isCreator) - Number(a.isCreator) ||
          a.since - b.since ||
          (a.principalName < b.principalName ? -1 : 1)
      ),
      policy,
      notes
    }
    return { row, timeline }
  }
}

/** Builds the index from records in one pass. */
export function deriveResources(records: Iterable<NormalizedRecord>): ResourceIndex {
  return new ResourceIndex().addAll(records)
}
