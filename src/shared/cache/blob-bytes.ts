/**
 * Reading stored Blobs into one reused buffer. Opening a cache reads every column chunk's Blob
 * (448 MB at a million records, 2.2 GB at five million) only to decode copies of its columns
 * from it; `Blob.arrayBuffer()` gives each read a fresh buffer, and fresh memory is what costs:
 * on the development machine, in its slow phases, writing to a page for the first time took
 * ~11 µs (256 MB: 735 ms the first time, 12 ms the second). Read through a BYOB stream reader
 * into one buffer kept for the next read, 240 MB of 2 MB Blobs read from IndexedDB in Chromium
 * in 2.2–2.3 s instead of 2.6–3.1 s (one at a time or twelve at once). Reads take turns, so one
 * buffer serves every caller. Pure: no Node, no DOM beyond Blob and streams.
 */
import { freeNow } from '../free-now'

/** Blobs larger than this are read into their own buffer (not kept). */
export const REUSED_BUFFER_MAX_BYTES = 32 * 1024 * 1024

let kept: ArrayBuffer | null = null
let turn: Promise<unknown> = Promise.resolve()

/**
 * Calls `use` with the bytes of `blob` and returns what it returns. The bytes are lent: they are
 * overwritten by the next read, so `use` must be synchronous and keep no view of them (copy what
 * it keeps). Reads take turns in call order.
 */
export function withBlobBytes<T>(blob: Blob, use: (bytes: Uint8Array) => T): Promise<T> {
  const result = turn.then(() => readThenUse(blob, use))
  turn = result.catch(() => undefined)
  return result
}

async function readThenUse<T>(blob: Blob, use: (bytes: Uint8Array) => T): Promise<T> {
  const size = blob.size
  const bytes = size <= REUSED_BUFFER_MAX_BYTES ? await readIntoKept(blob, size) : null
  if (bytes !== null) {
    return use(bytes)
  }
  const own = new Uint8Array(await blob.arrayBuffer())
  try {
    return use(own)
  } finally {
    freeNow(own)
  }
}

/**
 * The blob's `size` bytes read into the kept buffer (grown when too small), or null where Blob
 * streams have no BYOB reader.
 */
async function readIntoKept(blob: Blob, size: number): Promise<Uint8Array | null> {
  let reader: ReadableStreamBYOBReader
  try {
    reader = blob.stream().getReader({ mode: 'byob' })
  } catch {
    return null
  }
  // Taken while reading: a read that fails leaves the buffer detached, and the next one makes
  // another.
  let buffer = kept !== null && kept.byteLength >= size ? kept : new ArrayBuffer(grown(size))
  kept = null
  let filled = 0
  try {
    while (filled < size) {
      const { done, value } = await reader.read(new Uint8Array(buffer, filled, size - filled))
      if (value !== undefined) {
        buffer = value.buffer as ArrayBuffer
        filled += value.byteLength
      }
      if (done) {
        break
      }
    }
  } finally {
    reader.cancel().catch(() => undefined)
  }
  kept = buffer
  if (filled !== size) {
    throw new Error(`a stored Blob of ${size} bytes gave ${filled}`)
  }
  return new Uint8Array(buffer, 0, size)
}

/** A quarter more than asked, so chunks a little larger than the last do not each grow it. */
function grown(size: number): number {
  return Math.min(REUSED_BUFFER_MAX_BYTES, size + (size >>> 2))
}
