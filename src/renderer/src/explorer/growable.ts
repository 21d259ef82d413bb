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

/** A Uint32Array that grows (by half) as values are appended. */
export class GrowableU32 {
  data: Uint32Array
  length = 0
  constructor(capacity = 1024) {
    this.data = new Uint32Array(capacity)
  }
  reserve(capacity: number): void {
    if (capacity > this.data.length) {
      const next = new Uint32Array(grownCapacity(capacity, this.length, this.data.length))
      next.set(this.data.subarray(0, this.length))
      this.data = next
    }
  }
  push(value: number): void {
    if (this.length === this.data.length) {
      this.reserve(Math.max(1024, Math.ceil(this.data.length * 1.5)))
    }
    this.data[this.length++] = value
  }
  /** Appends `values`, each plus `add`. */
  pushAll(values: ArrayLike<number>, add = 0): void {
    const n = values.length
    if (this.length + n > this.data.length) {
      this.reserve(Math.max(this.length + n, Math.ceil(this.data.length * 1.5)))
    }
    const data = this.data
    let at = this.length
    for (let i = 0; i < n; i++) {
      data[at++] = values[i]! + add
    }
    this.length = at
  }
}

/** A Float64Array that grows (by half) as values are appended. */
export class GrowableF64 {
  data: Float64Array
  length = 0
  constructor(capacity = 1024) {
    this.data = new Float64Array(capacity)
  }
  reserve(capacity: number): void {
    if (capacity > this.data.length) {
      const next = new Float64Array(grownCapacity(capacity, this.length, this.data.length))
      next.set(this.data.subarray(0, this.length))
      this.data = next
    }
  }
  pushAll(values: Float64Array): void {
    if (this.length + values.length > this.data.length) {
      this.reserve(Math.max(this.length + values.length, Math.ceil(this.data.length * 1.5)))
    }
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
      this.values.push(value)
      this.codes.set(value, code)
    }
    return code
  }
}
