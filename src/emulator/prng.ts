/**
 * Small deterministic pseudo-random helpers. Everything the emulator generates derives from
 * `hash32(seed, ...)`, so any hour, blob or query can be regenerated on its own.
 */

/** FNV-1a over the string form of the parts, mixed with a final avalanche step. */
export function hash32(...parts: ReadonlyArray<string | number>): number {
  let h = 0x811c9dc5
  const text = parts.join('\u0001')
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** Mixes two 32-bit integers into a well-distributed 32-bit seed (cheap, for per-index seeds). */
export function mix32(a: number, b: number): number {
  let h = (a ^ Math.imul(b + 0x9e3779b9, 0x85ebca6b)) >>> 0
  h ^= h >>> 16
  h = Math.imul(h, 0x7feb352d)
  h ^= h >>> 15
  h = Math.imul(h, 0x846ca68b)
  h ^= h >>> 16
  return h >>> 0
}

/** A uniform number in [0, 1) derived from the parts. */
export function unit(...parts: ReadonlyArray<string | number>): number {
  return hash32(...parts) / 4294967296
}

/** A seeded generator (mulberry32) with the helpers the generator needs. */
export class Rng {
  private state: number

  constructor(seed: number) {
    this.state = seed >>> 0
  }

  /** Next uniform number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n)
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)]
    if (item === undefined) {
      throw new Error('pick from an empty list')
    }
    return item
  }

  /** Picks by weight; `items` pairs a value with its weight. */
  weighted<T>(items: ReadonlyArray<readonly [T, number]>): T {
    let total = 0
    for (const [, w] of items) {
      total += w
    }
    let r = this.next() * total
    for (const [value, w] of items) {
      r -= w
      if (r < 0) {
        return value
      }
    }
    const last = items[items.length - 1]
    if (!last) {
      throw new Error('weighted pick from an empty list')
    }
    return last[0]
  }

  /**
   * A version-4-shaped GUID whose first 32 and next-to-last 32 bits are `unique` (hex-formatted
   * as given) instead of random, so distinct `unique` pairs give distinct GUIDs. Consumes the
   * same draws as {@link uuid}, so what the generator draws after it is unchanged.
   */
  uuidWith(unique: readonly [number, number]): string {
    const hex = (n: number, len: number): string =>
      Math.floor(n).toString(16).padStart(len, '0').slice(-len)
    this.next()
    const b = hex(this.next() * 0x10000, 4)
    const c = '4' + hex(this.next() * 0x1000, 3)
    const d = hex(0x8000 + this.next() * 0x4000, 4)
    this.next()
    const tail = hex(this.next() * 0x10000, 4)
    return `${hex(unique[0] >>> 0, 8)}-${b}-${c}-${d}-${hex(unique[1] >>> 0, 8)}${tail}`
  }

  /** A version-4-shaped GUID. */
  uuid(): string {
    const hex = (n: number, len: number): string =>
      Math.floor(n).toString(16).padStart(len, '0').slice(-len)
    const a = hex(this.next() * 0x100000000, 8)
    const b = hex(this.next() * 0x10000, 4)
    const c = '4' + hex(this.next() * 0x1000, 3)
    const d = hex(0x8000 + this.next() * 0x4000, 4)
    const e = hex(this.next() * 0x1000000, 6) + hex(this.next() * 0x1000000, 6)
    return `${a}-${b}-${c}-${d}-${e}`
  }
}

/**
 * A keyed permutation of 64-bit values given as two 32-bit halves (a four-round Feistel network
 * over {@link mix32}): distinct inputs always give distinct outputs, which still look random.
 */
export function permute64(key: number, hi: number, lo: number): [number, number] {
  let l = hi >>> 0
  let r = lo >>> 0
  for (let round = 0; round < 4; round++) {
    const next = (l ^ mix32(mix32(key, round), r)) >>> 0
    l = r
    r = next
  }
  return [l, r]
}

/** A GUID derived from the parts (stable across runs). */
export function stableUuid(...parts: ReadonlyArray<string | number>): string {
  return new Rng(hash32(...parts)).uuid()
}
