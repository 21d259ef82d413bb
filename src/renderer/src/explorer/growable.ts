/**
 * Growable typed arrays and a string dictionary: the index's building blocks. Pure.
 */

/**
 * The capacity to grow to for `wanted` values: exactly that while the array is empty (opening
 * the cache reserves its known size once), else at least half as much again as now, so that
 * reserving a little more at each commit (an import or sync the Explorer follows) copies the
 * array a logarithmic number of times, not once per commit (which made following a 1M-record
 * import quadratic: 44 CPU-s and 2 GB of garbage).
 */
export function grownCapacity(wanted: number, length: number, capacity: number): number {
  return length === 0 ? wanted : Math.max(wanted, Math.ceil(capacity * 1.5))
}

/**
 * A typed array that grows (by half) as values are appended: `data` holds them, the first
 * `length` in use. Subclasses say which array to make.
 */
abstract class GrowableArray<T extends Uint8Array | Uint16Array | Uint32Array | Float64Array> {
  length = 0

  constructor(public data: T) {}

  /** An empty array of `capacity` values of the kind held now. */
  protected abstract make(capacity: number): T

  reserve(capacity: number): void {
    if (capacity > this.data.length) {
      const next = this.make(grownCapacity(capacity, this.length, this.data.length))
      next.set(this.data.subarray(0, this.length))
      this.data = next
    }
  }

  /** Makes room for `n` more values. */
  protected room(n: number): void {
    if (this.length + n > this.data.length) {
      this.reserve(Math.max(this.length + n, Math.ceil(this.data.length * 1.5)))
    }
  }

  /** Appends `values` (the array must hold the largest). */
  pushAll(values: ArrayLike<number>): void {
    const n = values.length
    this.room(n)
    const data = this.data
    let at = this.length
    for (let i = 0; i < n; i++) {
      data[at++] = values[i]!
    }
    this.length = at
  }
}

/** A Uint32Array that grows (by half) as values are appended. */
export class GrowableU32 extends GrowableArray<Uint32Array> {
  constructor(capacity = 1024) {
    super(new Uint32Array(capacity))
  }

  protected make(capacity: number): Uint32Array {
    return new Uint32Array(capacity)
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      this.reserve(Math.max(1024, Math.ceil(this.data.length * 1.5)))
    }
    this.data[this.length++] = value
  }
}

/** Codes in the narrowest unsigned array that holds them. */
export type CodeArray = Uint8Array | Uint16Array | Uint32Array

/** The largest code each array of {@link CodeArray} holds, narrowest first. */
const CODE_LIMITS = [0xff, 0xffff, 0xffffffff] as const

function codeArrayOf(kind: number, capacity: number): CodeArray {
  return kind === 0
    ? new Uint8Array(capacity)
    : kind === 1
      ? new Uint16Array(capacity)
      : new Uint32Array(capacity)
}

/**
 * Codes per row that grow (by half) as rows are appended, held a byte a row while every code is
 * below 256 and two while below 65,536: a column coded against its own small dictionary (an
 * activity, a workload, a user) costs a quarter or half of 32-bit codes. The array widens, once,
 * when a code too large for it is {@link fit}ted.
 */
export class GrowableCodes extends GrowableArray<CodeArray> {
  private kind = 0

  constructor(capacity = 1024) {
    super(codeArrayOf(0, capacity))
  }

  protected make(capacity: number): CodeArray {
    return codeArrayOf(this.kind, capacity)
  }

  /** The largest code the array holds now. */
  get limit(): number {
    return CODE_LIMITS[this.kind]!
  }

  /** Widens the array, if needed, so that it holds `code`. */
  fit(code: number): void {
    let kind = this.kind
    while (code > CODE_LIMITS[kind]!) {
      kind++
    }
    if (kind !== this.kind) {
      const next = codeArrayOf(kind, this.data.length)
      next.set(this.data.subarray(0, this.length))
      this.kind = kind
      this.data = next
    }
  }
}

/** A Float64Array that grows (by half) as values are appended. */
export class GrowableF64 extends GrowableArray<Float64Array> {
  constructor(capacity = 1024) {
    super(new Float64Array(capacity))
  }

  protected make(capacity: number): Float64Array {
    return new Float64Array(capacity)
  }

  /** Appends `values` (copied as a block). */
  override pushAll(values: Float64Array): void {
    this.room(values.length)
    this.data.set(values, this.length)
    this.length += values.length
  }
}

/** A string dictionary: value → code, code → value. */
export class Dictionary {
  readonly codes = new Map<string, number>()
  readonly values: string[] = []
  code(value: string): number {
    let code = this.codes.get(value)
    if (code === undefined) {
      code = this.values.length
      const own = ownString(value)
      this.values.push(own)
      this.codes.set(own, code)
    }
    return code
  }
}

/**
 * A copy of `text` that shares no characters with another string. V8 makes a slice of a long
 * string (13 characters or more) a view that keeps the whole string alive: a dictionary value or
 * a JSON key read from a chunk's pool would keep that pool's text after the pool dropped it
 * (global-pool.ts `prepareSearch`) — at 1M records, 289 MB of old pool texts were kept by the
 * keys of covered JSON texts alone. For the few strings kept for good, not for every value read.
 */
export function ownString(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string
}
