/**
 * The values many chunks repeat, held once: those of the core columns with few distinct values
 * (users, user keys, connectors, environments, operations…). Every chunk's pool holds its own
 * copy of each such value it uses: at 1M benchmark records, 31 MB of the pools' 188 MB of text
 * for 8,052 distinct values, read again by every quick search (a fifth of the characters a
 * two-character needle such as `a7` stops at). The idle preparation moves each chunk's copies
 * here (global-pool.ts `prepareSearch`): the pool drops their characters, a search reads them
 * once, and a chunk's value is read back through its shared id. Pure.
 */
import { poolOf } from '../db/record-chunk'

import { ownString } from './growable'

/** At most this many values are shared; later new ones stay in their chunks' pools. */
export const SHARED_LIMIT = 65_536

/** A shared value is at most this long (longer ones are rarely repeated). */
const SHARED_LENGTH = 512

export class SharedValues {
  private readonly ids = new Map<string, number>()
  private readonly values: string[] = []
  private joined: { text: string; starts: Uint32Array } | null = null

  get size(): number {
    return this.values.length
  }

  /**
   * The shared id of `value`, added if it is new and there is room; -1 when it is not shared.
   * The empty value never is (an empty value in a pool is also what a dropped one leaves).
   */
  share(value: string): number {
    const id = this.ids.get(value)
    if (id !== undefined) {
      return id
    }
    if (value === '' || value.length > SHARED_LENGTH || this.values.length >= SHARED_LIMIT) {
      return -1
    }
    // A copy: a slice would keep the whole pool text it was read from.
    const own = ownString(value)
    this.values.push(own)
    this.ids.set(own, this.values.length - 1)
    this.joined = null
    return this.values.length - 1
  }

  /** The shared id of `value`, or -1. */
  idOf(value: string): number {
    return this.ids.get(value) ?? -1
  }

  value(id: number): string {
    return this.values[id]!
  }

  /** Every shared value end to end, each followed by the pool's separator, and their starts. */
  text(): { text: string; starts: Uint32Array } {
    this.joined ??= poolOf(this.values)
    return this.joined
  }
}
