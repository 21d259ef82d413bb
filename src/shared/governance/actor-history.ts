import type { NormalizedRecord } from '../audit'

/**
 * When each actor, and each (actor, IP address) pair, was first seen in the cache, over every
 * record (connector or not). A commutative fold: the earliest (time, record Id) wins, whatever
 * order records arrive in.
 */

/** The first sighting of something. */
export interface FirstSeen {
  at: number
  recordId: string
}

function isEarlier(at: number, id: string, than: FirstSeen | undefined): boolean {
  return than === undefined || at < than.at || (at === than.at && id < than.recordId)
}

/** Actor and IP first sightings; see the module comment. */
export class ActorHistory {
  private readonly actors = new Map<string, FirstSeen>()
  private readonly actorIps = new Map<string, FirstSeen>()
  private readonly ipsByActor = new Map<string, Set<string>>()
  private start: FirstSeen | undefined

  /** Learns from one record. */
  add(record: NormalizedRecord): void {
    const at = record.createdAtMs
    const id = record.id
    if (isEarlier(at, id, this.start)) {
      this.start = { at, recordId: id }
    }
    const actor = record.userId.trim().toLowerCase()
    if (actor === '') {
      return
    }
    if (isEarlier(at, id, this.actors.get(actor))) {
      this.actors.set(actor, { at, recordId: id })
    }
    const ip = record.clientIp.trim().toLowerCase()
    if (ip === '') {
      return
    }
    const key = `${actor}\u0000${ip}`
    if (isEarlier(at, id, this.actorIps.get(key))) {
      this.actorIps.set(key, { at, recordId: id })
    }
    let ips = this.ipsByActor.get(actor)
    if (!ips) {
      ips = new Set()
      this.ipsByActor.set(actor, ips)
    }
    ips.add(ip)
  }

  /** The cache's first record, or undefined when nothing was added. */
  get firstRecord(): FirstSeen | undefined {
    return this.start
  }

  /** An actor's first record. */
  firstSeen(actor: string): FirstSeen | undefined {
    return this.actors.get(actor.trim().toLowerCase())
  }

  /** The first record of an actor from an IP address. */
  firstSeenFrom(actor: string, ip: string): FirstSeen | undefined {
    return this.actorIps.get(`${actor.trim().toLowerCase()}\u0000${ip.trim().toLowerCase()}`)
  }

  /** Every address an actor used, sorted. */
  addressesOf(actor: string): string[] {
    return [...(this.ipsByActor.get(actor.trim().toLowerCase()) ?? [])].sort()
  }
}
