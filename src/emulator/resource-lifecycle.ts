import { CONNECTORS } from './activity-catalogue'
import type { ConnectorDef } from './activity-catalogue'
import { hash32, stableUuid, unit } from './prng'

/**
 * The lifecycles of the demo tenant's connections and short-lived custom APIs, as a pure function
 * of the seed and time, so the stateless generator (any hour, any slice, in any order) still tells
 * one coherent story per resource: a connection is created once, edited and shared while it lives,
 * maybe turned off by a data policy, maybe deleted — and every event names the same id.
 *
 * A fixed number of slots each hold one resource at a time. Slot k's generation g begins at
 * `g × period + phase(k)` with a create event and a fresh id; it may end early with a delete event,
 * else the resource lives on quietly when the next generation's resource takes the slot (its
 * last state stays "active"). Random connector events (edits, shares, data-policy evaluations)
 * pick a slot and touch the resource alive in it at their time; creates and deletes come only
 * from here, at their exact times.
 */

const HOUR = 3_600_000
const DAY = 24 * HOUR

/** How long a connection slot's generation lasts. */
export const CONNECTION_PERIOD_MS = 5 * DAY
/** How long a pilot custom API slot's generation lasts. */
export const PILOT_API_PERIOD_MS = 2 * DAY
/**
 * Pilot custom API slots: slots 0 and 2 are always deleted within hours, slot 1 sometimes after
 * days.
 */
export const PILOT_API_SLOTS = 3

/** Share of connection generations that end in a deletion. */
const CONNECTION_DELETE_RATE = 0.3

/** One resource's life in one generation of its slot. */
export interface ResourceLife {
  slot: number
  generation: number
  created: number
  /** When it is deleted, or null when it lives until the slot's next generation. */
  deleted: number | null
}

/** A create or delete event the generator emits at its exact time. */
export interface LifecycleEvent {
  at: number
  kind: 'connection' | 'custom-api'
  change: 'create' | 'delete'
  life: ResourceLife
}

/** The number of connection slots for a tenant of this size (40 to 2,000). */
export function connectionSlots(eventsPerDay: number): number {
  return Math.min(2000, Math.max(40, Math.round(eventsPerDay / 20)))
}

function phase(seed: number, kind: string, slot: number, period: number): number {
  return Math.floor(unit(seed, 'life-phase', kind, slot) * period)
}

/** The connection alive-or-not in slot `slot`, generation `generation`. */
export function connectionLife(seed: number, slot: number, generation: number): ResourceLife {
  // Within its generation's first sixth, so a generation ends before the next one begins.
  const created = Math.floor(
    generation * CONNECTION_PERIOD_MS +
      phase(seed, 'connection', slot, CONNECTION_PERIOD_MS) +
      (unit(seed, 'life-jitter', slot, generation) * CONNECTION_PERIOD_MS) / 6
  )
  const isDeleted = unit(seed, 'life-delete', slot, generation) < CONNECTION_DELETE_RATE
  const lived = (0.2 + 0.6 * unit(seed, 'life-span', slot, generation)) * CONNECTION_PERIOD_MS
  return { slot, generation, created, deleted: isDeleted ? Math.floor(created + lived) : null }
}

/** The pilot custom API of a slot and generation. */
export function pilotApiLife(seed: number, slot: number, generation: number): ResourceLife {
  // Made on the generation's first day, during the working day (08:00–17:00 UTC).
  const start =
    generation * PILOT_API_PERIOD_MS + phase(seed, 'custom-api', slot, PILOT_API_PERIOD_MS)
  const created =
    Math.ceil(start / DAY) * DAY +
    Math.floor((8 + 9 * unit(seed, 'api-hour', slot, generation)) * HOUR)
  const u = unit(seed, 'api-span', slot, generation)
  // Slot 0: a try-out deleted within a working day; slot 1: kept, or deleted after a day or so.
  const deleted =
    slot !== 1
      ? created + Math.floor((1 + 7 * u) * HOUR)
      : unit(seed, 'api-delete', slot, generation) < 0.5
        ? created + Math.floor((0.5 + 0.4 * u) * PILOT_API_PERIOD_MS)
        : null
  return { slot, generation, created, deleted }
}

function generationAt(seed: number, kind: string, slot: number, period: number, t: number): number {
  return Math.floor((t - phase(seed, kind, slot, period)) / period)
}

function isAlive(life: ResourceLife, t: number): boolean {
  return t >= life.created && (life.deleted === null || t < life.deleted)
}

/** The connection alive in a slot at time t, or null between a deletion and the next creation. */
export function connectionAt(seed: number, slot: number, t: number): ResourceLife | null {
  const life = connectionLife(
    seed,
    slot,
    generationAt(seed, 'connection', slot, CONNECTION_PERIOD_MS, t)
  )
  return isAlive(life, t) ? life : null
}

/** A live connection for an event at time t, probing slots from `start`; null when none lives. */
export function liveConnection(
  seed: number,
  slots: number,
  start: number,
  t: number
): ResourceLife | null {
  for (let i = 0; i < slots; i++) {
    const life = connectionAt(seed, (start + i) % slots, t)
    if (life) {
      return life
    }
  }
  return null
}

/** The pilot custom API alive in a slot at time t, or null. */
export function pilotApiAt(seed: number, slot: number, t: number): ResourceLife | null {
  const life = pilotApiLife(
    seed,
    slot,
    generationAt(seed, 'custom-api', slot, PILOT_API_PERIOD_MS, t)
  )
  return isAlive(life, t) ? life : null
}

/** Hours computed recently: every blob of an hour asks for its hour's events again. */
const recentHours = new Map<string, readonly LifecycleEvent[]>()
const RECENT_HOURS = 4096

/** Creates and deletes that happen within an epoch hour, in time order (do not modify). */
export function lifecycleEvents(
  seed: number,
  slots: number,
  hour: number
): readonly LifecycleEvent[] {
  const key = `${seed}:${slots}:${hour}`
  let events = recentHours.get(key)
  if (events === undefined) {
    if (recentHours.size >= RECENT_HOURS) {
      recentHours.clear()
    }
    events = computeLifecycleEvents(seed, slots, hour)
    recentHours.set(key, events)
  }
  return events
}

function computeLifecycleEvents(seed: number, slots: number, hour: number): LifecycleEvent[] {
  const start = hour * HOUR
  const end = start + HOUR
  const out: LifecycleEvent[] = []
  const collect = (
    kind: LifecycleEvent['kind'],
    count: number,
    period: number,
    lifeOf: (slot: number, g: number) => ResourceLife
  ): void => {
    for (let slot = 0; slot < count; slot++) {
      const g0 = generationAt(seed, kind, slot, period, start)
      for (let g = g0 - 1; g <= g0 + 1; g++) {
        const life = lifeOf(slot, g)
        if (life.created >= start && life.created < end) {
          out.push({ at: life.created, kind, change: 'create', life })
        }
        if (life.deleted !== null && life.deleted >= start && life.deleted < end) {
          out.push({ at: life.deleted, kind, change: 'delete', life })
        }
      }
    }
  }
  collect('connection', slots, CONNECTION_PERIOD_MS, (s, g) => connectionLife(seed, s, g))
  collect('custom-api', PILOT_API_SLOTS, PILOT_API_PERIOD_MS, (s, g) => pilotApiLife(seed, s, g))
  return out.sort(
    (a, b) =>
      a.at - b.at ||
      (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0) ||
      a.life.slot - b.life.slot ||
      (a.change < b.change ? -1 : 1)
  )
}

const STANDARD_AND_PREMIUM = CONNECTORS.filter((c) => c.tier !== 'Custom')

/** The connector a connection slot uses (fixed per slot). */
export function connectorOfSlot(seed: number, slot: number): ConnectorDef {
  const all = hash32(seed, 'slot-connector', slot) % 10 === 0 ? CONNECTORS : STANDARD_AND_PREMIUM
  return all[hash32(seed, 'slot-connector-pick', slot) % all.length] ?? CONNECTORS[0]!
}

/** A connection's resource id: `/providers/Microsoft.PowerApps/apis/<connector>/connections/<id>`. */
export function connectionResourceId(seed: number, life: ResourceLife): string {
  const id = stableUuid(seed, 'connection', life.slot, life.generation).replace(/-/g, '')
  return `/providers/Microsoft.PowerApps/apis/${connectorOfSlot(seed, life.slot).id}/connections/${id}`
}

/** A pilot custom API's resource id and display name. */
export function pilotApi(seed: number, life: ResourceLife): { id: string; name: string } {
  const suffix = stableUuid(seed, 'pilot-api', life.slot, life.generation)
    .replace(/-/g, '')
    .slice(0, 18)
  const label = life.slot !== 1 ? 'pilot' : 'partner-20sync'
  return {
    id: `/providers/Microsoft.PowerApps/apis/shared_contoso-20${label}-20api-${suffix}`,
    name:
      life.slot === 0
        ? `Contoso Pilot API ${suffix.slice(0, 4)}`
        : `Partner Sync API ${suffix.slice(0, 4)}`
  }
}
