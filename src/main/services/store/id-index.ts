/**
 * A compact set of audit Ids: each Id is kept as a 64-bit hash (two 32-bit halves) in an
 * open-addressing table of typed arrays, with a 32-bit hash of its raw content and a state byte.
 *
 * Bound: 13 bytes per slot and at most 70 % of the slots used, so 19–37 bytes per Id (1 million
 * Ids: 2^21 slots = 27 MB), against 100–150 bytes for a `Set` of GUID strings. The price is a
 * hash collision: two different Ids with the same 64-bit hash count as one. The chance is about
 * n² / 2^65: 3 × 10^-8 for a million Ids, 3 × 10^-4 for a hundred million.
 */

/** The state of a slot. */
const EMPTY = 0
/** Stored (committed) before the current import session. */
const STORED = 1
/** Claimed by the current import session, not committed yet. */
const CLAIMED = 2
/** Claimed by the current import session and committed. */
const CLAIMED_STORED = 3

const MAX_LOAD = 0.7

/** 64-bit hash of a string as two 32-bit halves (cyrb53-style, without the 53-bit cut). */
export function idHash64(id: string): [number, number] {
  let h1 = 0xdeadbeef
  let h2 = 0x41c6ce57
  for (let i = 0; i < id.length; i++) {
    const ch = id.charCodeAt(i)
    h1 = Math.imul(h1 ^ ch, 2654435761)
    h2 = Math.imul(h2 ^ ch, 1597334677)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507)
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507)
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return [h1 >>> 0, h2 >>> 0]
}

/** What {@link IdIndex.claim} found. */
export type ClaimVerdict = 'new' | 'duplicate' | 'conflict' | 'stored'

/** The compact Id set of a store (see the file comment for the memory bound). */
export class IdIndex {
  private hi: Uint32Array
  private lo: Uint32Array
  private content: Uint32Array
  private state: Uint8Array
  private used = 0
  private stored = 0

  constructor(capacity = 1024) {
    let size = 1024
    while (size * MAX_LOAD < capacity) {
      size *= 2
    }
    this.hi = new Uint32Array(size)
    this.lo = new Uint32Array(size)
    this.content = new Uint32Array(size)
    this.state = new Uint8Array(size)
  }

  /** Number of stored (committed) Ids. */
  get size(): number {
    return this.stored
  }

  /** Whether an Id is stored (claims not yet committed do not count). */
  has(id: string): boolean {
    const slot = this.find(id)
    const s = slot < 0 ? EMPTY : this.state[slot]
    return s === STORED || s === CLAIMED_STORED
  }

  /**
   * Stores an Id. Returns true when it was not stored before (a claim of the current session
   * becomes stored), false for a repeat.
   */
  add(id: string): boolean {
    const slot = this.find(id)
    if (slot >= 0) {
      if (this.state[slot] !== CLAIMED) {
        return false
      }
      this.state[slot] = CLAIMED_STORED
      this.stored++
      return true
    }
    this.insert(id, STORED, 0)
    this.stored++
    return true
  }

  /**
   * An import session's look-up: `new` the first time (the Id is claimed, so a second claim
   * compares content), `duplicate` / `conflict` for a repeat within the session with the same /
   * different content hash, `stored` for an Id stored before the session.
   */
  claim(id: string, contentHash: number): ClaimVerdict {
    const slot = this.find(id)
    if (slot < 0) {
      this.insert(id, CLAIMED, contentHash >>> 0)
      return 'new'
    }
    if (this.state[slot] === STORED) {
      return 'stored'
    }
    return this.content[slot] === contentHash >>> 0 ? 'duplicate' : 'conflict'
  }

  /**
   * Ends an import session: claims that were committed become plain stored Ids, claims that
   * never were (the import stopped before their batch) are forgotten.
   */
  endSession(): void {
    let hasOrphans = false
    for (let i = 0; i < this.state.length; i++) {
      if (this.state[i] === CLAIMED_STORED) {
        this.state[i] = STORED
      } else if (this.state[i] === CLAIMED) {
        hasOrphans = true
      }
    }
    if (hasOrphans) {
      this.rehash(this.state.length, true)
    }
  }

  private find(id: string): number {
    const [h, l] = idHash64(id)
    const mask = this.state.length - 1
    for (let i = (h ^ Math.imul(l, 0x9e3779b1)) & mask; ; i = (i + 1) & mask) {
      if (this.state[i] === EMPTY) {
        return -1
      }
      if (this.hi[i] === h && this.lo[i] === l) {
        return i
      }
    }
  }

  private insert(id: string, state: number, contentHash: number): void {
    if (this.used + 1 > this.state.length * MAX_LOAD) {
      this.rehash(this.state.length * 2, false)
    }
    const [h, l] = idHash64(id)
    this.place(h, l, state, contentHash)
    this.used++
  }

  private place(h: number, l: number, state: number, contentHash: number): void {
    const mask = this.state.length - 1
    let i = (h ^ Math.imul(l, 0x9e3779b1)) & mask
    while (this.state[i] !== EMPTY) {
      i = (i + 1) & mask
    }
    this.hi[i] = h
    this.lo[i] = l
    this.state[i] = state
    this.content[i] = contentHash
  }

  private rehash(size: number, dropClaims: boolean): void {
    const { hi, lo, content, state } = this
    this.hi = new Uint32Array(size)
    this.lo = new Uint32Array(size)
    this.content = new Uint32Array(size)
    this.state = new Uint8Array(size)
    this.used = 0
    for (let i = 0; i < state.length; i++) {
      const s = state[i] ?? EMPTY
      if (s === EMPTY || (dropClaims && s === CLAIMED)) {
        continue
      }
      this.place(hi[i] ?? 0, lo[i] ?? 0, s, content[i] ?? 0)
      this.used++
    }
  }
}
