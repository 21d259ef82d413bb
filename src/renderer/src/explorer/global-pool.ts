/**
 * Every loaded chunk's string pool end to end: one global code space (chunk's first code + the
 * chunk's own code) without hashing a single value, and the quick search over it. Pure.
 */
import { POOL_SEPARATOR, isNarrowValue, poolSlice } from '../db/record-chunk'

import {
  buildTrigramFilter,
  candidateRanges,
  needleTrigrams,
  trigramFilterBytes,
  type TrigramFilter
} from './pool-trigrams'

/**
 * A chunk's values: its one-byte `text` then its `wide` text, end to end in `starts`
 * (record-chunk.ts `ColumnChunk.widePool`).
 */
export interface PoolText {
  text: string
  wide: string
  starts: Uint32Array
}

interface PoolChunk extends PoolText {
  /** Global code of the chunk's first value. */
  first: number
  /** The lower-cased texts and their starts (made on the first quick search of a non-ASCII pool). */
  lowered: PoolText | null
  /** Whether the pool is pure ASCII (decided on the first quick search). */
  isAscii: boolean | null
  /** Where a needle may be (pool-trigrams.ts); made on the first search or when idle. */
  filter: TrigramFilter | null
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

  /** Adds a chunk's pool (its one-byte and wide texts); returns the global code of its first value. */
  add(text: string, wide: string, starts: Uint32Array): number {
    const first = this.size
    this.chunks.push({ text, wide, starts, first, lowered: null, isAscii: null, filter: null })
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
    return localValue(chunk, code - chunk.first)
  }

  /**
   * Marks (1) every code whose value contains `needle` (already lower-cased); `hits` counts the
   * marked values of each chunk (a chunk without any needs no look at its rows). Only the blocks
   * of values whose trigram filter admits the needle are searched (pool-trigrams.ts).
   */
  mark(needle: string): { marks: Uint8Array; hits: Uint32Array } {
    const marks = new Uint8Array(this.size)
    const hits = new Uint32Array(this.chunks.length)
    // On ASCII text, a case-insensitive search finds exactly what lower-casing would, without a
    // lower-cased copy of the pool (half the pool's memory); other pools are lowered once.
    const isAsciiNeedle = ASCII_ONLY.test(needle)
    const pattern = isAsciiNeedle ? new RegExp(escapeRegExp(needle), 'gi') : null
    const trigrams = needleTrigrams(needle)
    this.chunks.forEach((chunk, c) => {
      const useRegExp = pattern !== null && isAsciiPool(chunk)
      const searched = useRegExp ? chunk : lowered(chunk)
      const { starts } = searched
      const split = searched.text.length
      // `from`/`to`: offsets in the one-byte text then the wide one, end to end.
      const scan = (from: number, to: number): void => {
        if (from < split && to > split) {
          scanPart(searched.text, 0, from, split)
          scanPart(searched.wide, split, split, to)
        } else {
          scanPart(from < split ? searched.text : searched.wide, from < split ? 0 : split, from, to)
        }
      }
      const scanPart = (text: string, base: number, whole: number, to: number): void => {
        // A slice of a long string shares its characters: the search stops at the range's end.
        const from = whole - base
        const end = to - base
        const part = from === 0 && end === text.length ? text : text.slice(from, end)
        const origin = whole
        let at = 0
        for (;;) {
          if (pattern !== null && useRegExp) {
            pattern.lastIndex = at
            at = pattern.exec(part)?.index ?? -1
          } else {
            at = part.indexOf(needle, at)
          }
          // (An empty needle is found at the very end too: no value starts there.)
          if (at < 0 || at >= part.length) {
            return
          }
          const local = upperBound(starts, origin + at) - 1
          const valueEnd = starts[local + 1]! - 1
          if (origin + at + needle.length <= valueEnd) {
            marks[chunk.first + local] = 1
            hits[c]!++
            // Continue after this value: a value is marked once.
            at = valueEnd + 1 - origin
          } else {
            at++
          }
        }
      }
      if (trigrams.length === 0) {
        scan(0, split + searched.wide.length)
        return
      }
      const ranges = candidateRanges(filterOf(chunk), trigrams)
      for (let r = 0; r < ranges.length; r += 2) {
        scan(starts[ranges[r]!]!, starts[ranges[r + 1]!]!)
      }
    })
    return { marks, hits }
  }

  /** Builds chunk `c`'s trigram filter now (the worker does it when idle) if it has none. */
  prepareSearch(c: number): void {
    filterOf(this.chunks[c]!)
  }

  /** Bytes held by the trigram filters built so far. */
  filterBytes(): number {
    let bytes = 0
    for (const chunk of this.chunks) {
      bytes += chunk.filter ? trigramFilterBytes(chunk.filter) : 0
    }
    return bytes
  }

  /** Global code of the value exactly equal to `value` in chunk `c`, or -1. */
  find(c: number, value: string): number {
    const chunk = this.chunks[c]!
    const needle = value + POOL_SEPARATOR
    // A value is in the one-byte text or the wide one, by its characters (a chunk written
    // before the split has every value in its text).
    const isNarrow = chunk.wide === '' || isNarrowValue(value)
    const text = isNarrow ? chunk.text : chunk.wide
    const base = isNarrow ? 0 : chunk.text.length
    let from = 0
    for (;;) {
      const at = text.indexOf(needle, from)
      if (at < 0) {
        return -1
      }
      const local = upperBound(chunk.starts, base + at) - 1
      if (chunk.starts[local] === base + at) {
        return chunk.first + local
      }
      from = at + 1
    }
  }
}

/** Value `local` of a chunk's texts. */
function localValue(pool: PoolText, local: number): string {
  return poolSlice(pool.text, pool.wide, pool.starts[local]!, pool.starts[local + 1]! - 1)
}

function isAsciiPool(chunk: PoolChunk): boolean {
  if (chunk.isAscii === null) {
    chunk.isAscii = ASCII_ONLY.test(chunk.text) && ASCII_ONLY.test(chunk.wide)
  }
  return chunk.isAscii
}

/** A chunk's trigram filter, over the text the search reads (ASCII-folded or lower-cased). */
function filterOf(chunk: PoolChunk): TrigramFilter {
  if (!chunk.filter) {
    chunk.filter = isAsciiPool(chunk)
      ? buildTrigramFilter(chunk, false)
      : buildTrigramFilter(lowered(chunk), true)
  }
  return chunk.filter
}

function lowered(chunk: PoolChunk): PoolText {
  if (!chunk.lowered) {
    const text = chunk.text.toLowerCase()
    const wide = chunk.wide.toLowerCase()
    if (text.length === chunk.text.length && wide.length === chunk.wide.length) {
      // (Lower-casing keeps a one-byte character one byte: the lowered text stays one-byte.)
      chunk.lowered = { text, wide, starts: chunk.starts }
    } else {
      // Some character changed length when lower-cased (e.g. U+0130): lower each value.
      const count = chunk.starts.length - 1
      const starts = new Uint32Array(count + 1)
      const narrowParts: string[] = []
      const wideParts: string[] = []
      let offset = 0
      for (let i = 0; i < count; i++) {
        const part = localValue(chunk, i).toLowerCase()
        starts[i] = offset
        offset += part.length + 1
        ;(chunk.starts[i]! < chunk.text.length ? narrowParts : wideParts).push(part)
      }
      starts[count] = offset
      const join = (parts: string[]): string =>
        parts.length === 0 ? '' : parts.join(POOL_SEPARATOR) + POOL_SEPARATOR
      chunk.lowered = { text: join(narrowParts), wide: join(wideParts), starts }
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
