/**
 * Every loaded chunk's string pool end to end: one global code space (chunk's first code + the
 * chunk's own code) without hashing a single value, and the quick search over it. Pure.
 */
import { POOL_SEPARATOR } from '../db/record-chunk'

interface PoolChunk {
  text: string
  starts: Uint32Array
  /** Global code of the chunk's first value. */
  first: number
  /** The lower-cased text and its starts (made on the first quick search of a non-ASCII pool). */
  lowered: { text: string; starts: Uint32Array } | null
  /** Whether the pool is pure ASCII (decided on the first quick search). */
  isAscii: boolean | null
}

// eslint-disable-next-line no-control-regex
const ASCII_ONLY = /^[\u0000-\u007f]*$/

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Every chunk's string pool, end to end: one global code space without hashing any value. */
export class GlobalPool {
  readonly chunks: PoolChunk[] = []
  size = 0

  /** Adds a chunk's pool; returns the global code of its first value. */
  add(text: string, starts: Uint32Array): number {
    const first = this.size
    this.chunks.push({ text, starts, first, lowered: null, isAscii: null })
    this.size += starts.length - 1
    return first
  }

  private chunkOf(code: number): PoolChunk {
    const chunks = this.chunks
    let lo = 0
    let hi = chunks.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1
      if (chunks[mid]!.first <= code) {
        lo = mid
      } else {
        hi = mid - 1
      }
    }
    return chunks[lo]!
  }

  value(code: number): string {
    const chunk = this.chunkOf(code)
    const local = code - chunk.first
    return chunk.text.slice(chunk.starts[local]!, chunk.starts[local + 1]! - 1)
  }

  /**
   * Marks (1) every code whose value contains `needle` (already lower-cased); `hits` counts the
   * marked values of each chunk (a chunk without any needs no look at its rows).
   */
  mark(needle: string): { marks: Uint8Array; hits: Uint32Array } {
    const marks = new Uint8Array(this.size)
    const hits = new Uint32Array(this.chunks.length)
    // On ASCII text, a case-insensitive search finds exactly what lower-casing would, without a
    // lower-cased copy of the pool (half the pool's memory); other pools are lowered once.
    const isAsciiNeedle = ASCII_ONLY.test(needle)
    const pattern = isAsciiNeedle ? new RegExp(escapeRegExp(needle), 'gi') : null
    this.chunks.forEach((chunk, c) => {
      if (chunk.isAscii === null) {
        chunk.isAscii = ASCII_ONLY.test(chunk.text)
      }
      const useRegExp = pattern !== null && chunk.isAscii
      const { text, starts } = useRegExp ? chunk : lowered(chunk)
      let from = 0
      for (;;) {
        let at: number
        if (useRegExp) {
          pattern.lastIndex = from
          at = pattern.exec(text)?.index ?? -1
        } else {
          at = text.indexOf(needle, from)
        }
        if (at < 0) {
          break
        }
        const local = upperBound(starts, at) - 1
        const end = starts[local + 1]! - 1
        if (at + needle.length <= end) {
          marks[chunk.first + local] = 1
          hits[c]!++
          // Continue after this value: a value is marked once.
          from = end + 1
        } else {
          from = at + 1
        }
      }
    })
    return { marks, hits }
  }

  /** Global code of the value exactly equal to `value` in chunk `c`, or -1. */
  find(c: number, value: string): number {
    const chunk = this.chunks[c]!
    const needle = value + POOL_SEPARATOR
    let from = 0
    for (;;) {
      const at = chunk.text.indexOf(needle, from)
      if (at < 0) {
        return -1
      }
      const local = upperBound(chunk.starts, at) - 1
      if (chunk.starts[local] === at) {
        return chunk.first + local
      }
      from = at + 1
    }
  }
}

function lowered(chunk: PoolChunk): { text: string; starts: Uint32Array } {
  if (!chunk.lowered) {
    const low = chunk.text.toLowerCase()
    if (low.length === chunk.text.length) {
      chunk.lowered = { text: low, starts: chunk.starts }
    } else {
      // Some character changed length when lower-cased (e.g. U+0130): lower each value.
      const count = chunk.starts.length - 1
      const starts = new Uint32Array(count + 1)
      const parts: string[] = []
      let offset = 0
      for (let i = 0; i < count; i++) {
        const part = chunk.text.slice(chunk.starts[i]!, chunk.starts[i + 1]! - 1).toLowerCase()
        starts[i] = offset
        offset += part.length + 1
        parts.push(part)
      }
      starts[count] = offset
      chunk.lowered = { text: parts.join(POOL_SEPARATOR) + POOL_SEPARATOR, starts }
    }
  }
  return chunk.lowered
}

export function upperBound(sorted: Uint32Array, value: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid]! <= value) {
      lo = mid + 1
    } else {
      hi = mid
    }
  }
  return lo
}
