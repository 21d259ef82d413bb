/**
 * Working arrays reused from one chunk to the next. The idle preparation passes over every chunk
 * with arrays the size of its pool, its text or its uses, dropped as soon as the chunk is done:
 * made anew each time they were ~590 MB of garbage at a million records (the pool text's bytes
 * 289 MB, the value rows' uses 110 MB…), and a five-million-record cache's worker still held
 * hundreds of megabytes of such garbage when the explorer benchmark sampled its memory.
 *
 * Each purpose keeps its own array (the largest asked for so far, a little more), so arrays one
 * pass uses together never share memory. A view is valid until the next call for its purpose:
 * a caller keeps nothing of it. Pure but for that module state (the worker is one thread).
 */

const int32 = new Map<string, Int32Array>()
const uint32 = new Map<string, Uint32Array>()
const uint8 = new Map<string, Uint8Array>()

/**
 * `length` values of the array held for `purpose` (made larger when it is too small), each set to
 * `fill` when given; left as the last user wrote them when not (the caller writes before it reads).
 */
function scratch<T extends Int32Array | Uint32Array | Uint8Array>(
  held: Map<string, T>,
  make: (length: number) => T,
  purpose: string,
  length: number,
  fill: number | undefined
): T {
  let array = held.get(purpose)
  if (array === undefined || array.length < length) {
    // A quarter more, so chunks a little larger than the last do not each make a new one.
    array = make(length + (length >>> 2))
    held.set(purpose, array)
  }
  const view = array.subarray(0, length) as T
  if (fill !== undefined) {
    view.fill(fill)
  }
  return view
}

export function scratchInt32(purpose: string, length: number, fill?: number): Int32Array {
  return scratch(int32, (n) => new Int32Array(n), purpose, length, fill)
}

export function scratchUint32(purpose: string, length: number, fill?: number): Uint32Array {
  return scratch(uint32, (n) => new Uint32Array(n), purpose, length, fill)
}

export function scratchUint8(purpose: string, length: number, fill?: number): Uint8Array {
  return scratch(uint8, (n) => new Uint8Array(n), purpose, length, fill)
}

/** Bytes the working arrays hold now. */
export function scratchBytes(): number {
  let bytes = 0
  for (const held of [int32, uint32, uint8] as Map<string, ArrayBufferView>[]) {
    for (const array of held.values()) {
      bytes += array.byteLength
    }
  }
  return bytes
}
