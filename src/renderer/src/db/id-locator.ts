/**
 * Where each cached record Id lives (its row over the whole cache), in a compact open-addressing
 * hash table of typed arrays: two independent 32-bit hashes of the Id and its row, 12 bytes a slot,
 * instead of a JavaScript Set of a million strings.
 *
 * A lookup answers candidate rows whose hashes match; the caller confirms a candidate against the
 * Id actually stored (two different Ids sharing both hashes is astronomically rare, but the cache
 * promises exact de-duplication, so it is checked). Pure: no Dexie, no DOM.
 */

const EMPTY = 0

/** FNV-1a and a multiplicative hash over the UTF-16 code units of an Id. */
export function hashId(id: string): [number, number] {
  let a = 0x811c9dc5
  let b = 0x9e3779b9
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193)
    b = Math.imul(b ^ c, 0x85ebca6b) ^ (b >>> 13)
  }
  b = Math.imul(b ^ (b >>> 16), 0xc2b2ae35)
  return [a >>> 0, (b ^ (b >>> 16)) >>> 0]
}

/** Id → row, as hashes. */
export class IdLocator {
  private h1: Uint32Array
  private h2: Uint32Array
  /** Row + 1; 0 = empty slot. */
  private rows: Uint32Array
  private used = 0

  constructor(capacity = 1 << 12) {
    let size = 1 << 12
    while (size < capacity * 2) {
      size <<= 1
    }
    this.h1 = new Uint32Array(size)
    this.h2 = new Uint32Array(size)
    this.rows = new Uint32Array(size)
  }

  /** How many Ids are recorded. */
  get size(): number {
    return this.used
  }

  /** Records that `id` is stored at `row`. */
  add(id: string, row: number): void {
    const [a, b] = hashId(id)
    this.insert(a, b, row + 1)
  }

  /** Rows whose Id has the same hashes as `id` (usually none or exactly the one). */
  candidates(id: string): number[] {
    const [a, b] = hashId(id)
    const mask = this.rows.length - 1
    const found: number[] = []
    for (let slot = a & mask; ; slot = (slot + 1) & mask) {
      const row = this.rows[slot]!
      if (row === EMPTY) {
        return found
      }
      if (this.h1[slot] === a && this.h2[slot] === b) {
        found.push(row - 1)
      }
    }
  }

  private insert(a: number, b: number, rowPlusOne: number): void {
    if ((this.used + 1) * 2 > this.rows.length) {
      this.grow()
    }
    const mask = this.rows.length - 1
    let slot = a & mask
    while (this.rows[slot] !== EMPTY) {
      slot = (slot + 1) & mask
    }
    this.h1[slot] = a
    this.h2[slot] = b
    this.rows[slot] = rowPlusOne
    this.used++
  }

  private grow(): void {
    const { h1, h2, rows } = this
    this.h1 = new Uint32Array(rows.length * 2)
    this.h2 = new Uint32Array(rows.length * 2)
    this.rows = new Uint32Array(rows.length * 2)
    this.used = 0
    for (let slot = 0; slot < rows.length; slot++) {
      if (rows[slot] !== EMPTY) {
        this.insert(h1[slot]!, h2[slot]!, rows[slot]!)
      }
    }
  }
}
