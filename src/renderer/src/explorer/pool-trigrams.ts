/**
 * A trigram presence filter over one chunk's string pool, so the quick search reads only the
 * parts of the pool that can hold the needle. The pool's values are cut into blocks of about
 * {@link BLOCK_CHARS} characters; each block keeps a Bloom filter (one hash) of every trigram of
 * its values' lower-cased text (never across two values). A value containing the needle has every
 * trigram of the needle, so its block passes: blocks that fail cannot hold a match and are skipped,
 * and the blocks that pass are still searched with the same substring test — the filter never
 * changes an answer, it only narrows where the search looks. Needles shorter than three characters
 * have no trigram and search every block. Pure.
 */

import { asciiBytes } from './json-cover'
import { scratchUint32 } from './scratch'

/**
 * A chunk's values: its one-byte `text` then its `wide` text, end to end in `starts`
 * (record-chunk.ts `ColumnChunk.widePool`).
 */
export interface PoolText {
  text: string
  wide: string
  starts: Uint32Array
}

/** A block closes once its values hold at least this many characters. */
export const BLOCK_CHARS = 1024
/**
 * Bits of each block's filter (a power of two): about one per character of the block. Measured
 * under Node on the explorer benchmark's 1M records (one search each of its twelve terms): 2,048
 * bits held 69 MB, 1,024 bits 35 MB with the same times but one term (`shared_sql_17`, 34 → 66
 * ms), 512 bits 17 MB with four terms 20–45 ms slower.
 */
const BLOCK_BITS = 1024
/**
 * Covered values in a row from which on they make one block of their own (at 1M benchmark
 * records, the ~130,000 blocks of JSON texts and shared values, 17 MB of bits no search reads,
 * become a few thousand).
 */
const DROPPED_RUN = 16
const LOG_BITS = 10
const WORDS = BLOCK_BITS / 32

/** One chunk's filter: blocks of consecutive pool values, each with its trigram bits. */
export interface TrigramFilter {
  /** First value (the chunk's own code) of each block, then the value count. */
  blockStarts: Uint32Array
  /** `WORDS` 32-bit words per block. */
  bits: Int32Array
  /**
   * Per block, the upper-case ASCII letters its text holds as the search reads it (bit 0: `A`,
   * … bit 25: `Z`). A block holding none of a lower-case needle's letters in upper case is
   * searched case-sensitively: the same answer, and a two-letter needle is read about 1.7 times
   * faster (measured under Node over the explorer benchmark's 1M pools: `a7`, 147 → 86 ms).
   */
  upper: Int32Array
  /**
   * Per block, 1 when every value is dropped from the pool: a covered JSON text (json-cover.ts)
   * or a shared value (shared-values.ts), both marked apart. A search for a needle that is not
   * empty skips the block, so its trigrams are not read (its bits and letters are all set: it
   * admits every needle); null when no block is.
   */
  covered: Uint8Array | null
}

/** A trigram's bit (written out in {@link buildTrigramFilter}'s loop over bytes: keep both alike). */
function trigramBit(a: number, b: number, c: number): number {
  return (
    (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77) ^ Math.imul(c, 0xc2b2ae3d)) >>>
    (32 - LOG_BITS)
  )
}

/**
 * Latin-1 upper case to lower case (A–Z, À–Þ but ×), as `toLowerCase` maps them; every other
 * code unit unchanged.
 */
function foldLatin1(code: number): number {
  return (code >= 65 && code <= 90) || (code >= 0xc0 && code <= 0xde && code !== 0xd7)
    ? code + 32
    : code
}

/**
 * Builds the filter of a pool: its texts hold the values end to end, value `i` at
 * `starts[i]…starts[i+1]-1` (the last character is the separator). Each part is read as the
 * search reads it: already lower-cased (`isNarrowLowered`, `isWideLowered`), or folded here
 * character by character (Latin-1 letters, exactly as lower-casing maps them: a narrow text never
 * needs a lower-cased copy for its filter). An ASCII one-byte text is read as its bytes, encoded
 * once natively (reading the characters of the string one by one took about twice as long):
 * `asciiText` gives them (or null: the text is not known to be ASCII, read its characters), or
 * they are encoded here. The values `coveredValues` marks are left out of the pool (the search
 * never reads them there): they add no trigram, and a long run of them is a block of its own.
 */
export function buildTrigramFilter(
  pool: PoolText,
  isNarrowLowered: boolean,
  isWideLowered: boolean,
  coveredValues: Uint8Array | null = null,
  asciiText?: Uint8Array | null
): TrigramFilter {
  const { starts } = pool
  const count = starts.length - 1
  // runEnd[v]: for a covered value, the end of the run of covered values it is in. A run of at
  // least DROPPED_RUN is one block, however long: a search skips it and never reads its bits.
  let runEnd: Uint32Array | null = null
  if (coveredValues) {
    runEnd = scratchUint32('pool-trigrams.runEnd', count + 1)
    runEnd[count] = count
    for (let v = count - 1; v >= 0; v--) {
      runEnd[v] = coveredValues[v] === 1 ? (coveredValues[v + 1] === 1 ? runEnd[v + 1]! : v + 1) : v
    }
  }
  const isLongRun = (v: number): boolean => runEnd !== null && runEnd[v]! - v >= DROPPED_RUN
  const firsts: number[] = [0]
  for (let i = 0; i < count;) {
    const from = starts[i]!
    let j = i + 1
    if (isLongRun(i)) {
      j = runEnd![i]!
    } else {
      while (j < count && starts[j]! - from < BLOCK_CHARS && !isLongRun(j)) {
        j++
      }
    }
    if (j < count) {
      firsts.push(j)
    }
    i = j
  }
  const blocks = count === 0 ? 0 : firsts.length
  const blockStarts = new Uint32Array(blocks + 1)
  for (let b = 0; b < blocks; b++) {
    blockStarts[b] = firsts[b]!
  }
  blockStarts[blocks] = count
  const bits = new Int32Array(blocks * WORDS)
  const upper = new Int32Array(blocks)
  const covered = coveredValues ? new Uint8Array(blocks) : null
  let coveredBlocks = 0
  const narrowBytes = asciiText === undefined ? asciiBytes(pool.text) : asciiText
  for (let b = 0; b < blocks; b++) {
    const base = b * WORDS
    if (covered && coveredValues) {
      let v = blockStarts[b]!
      while (v < blockStarts[b + 1]! && coveredValues[v] === 1) {
        v++
      }
      if (v === blockStarts[b + 1]) {
        covered[b] = 1
        coveredBlocks++
        bits.fill(-1, base, base + WORDS)
        upper[b] = -1
        continue
      }
    }
    let letters = 0
    for (let v = blockStarts[b]!; v < blockStarts[b + 1]!; v++) {
      if (coveredValues !== null && coveredValues[v] === 1) {
        // Left out of the pool (empty once it is dropped): no search finds it here.
        continue
      }
      // The value's text: in the one-byte text or the wide one (global-pool.ts `PoolText`).
      const isWide = starts[v]! >= pool.text.length
      const text = isWide ? pool.wide : pool.text
      const shift = isWide ? pool.text.length : 0
      const end = starts[v + 1]! - 1 - shift
      const isLowered = isWide ? isWideLowered : isNarrowLowered
      let x = 0
      let y = 0
      // (Two loops, one per source: one loop choosing its source per character was 10–20 %
      // slower under Node.)
      if (!isWide && narrowBytes !== null) {
        for (let p = starts[v]!, at = 0; p < end; p++, at++) {
          const code = narrowBytes[p]!
          let z = code
          if (!isLowered && code >= 65 && code <= 90) {
            z = code + 32
            letters |= 1 << (code - 65)
          }
          if (at >= 2) {
            // trigramBit, written out: Chromium's V8 did not inline the call here (130 ms of
            // calls at 1M records in the browser's profile).
            const bit =
              (Math.imul(x, 0x9e3779b1) ^ Math.imul(y, 0x85ebca77) ^ Math.imul(z, 0xc2b2ae3d)) >>>
              (32 - LOG_BITS)
            bits[base + (bit >>> 5)]! |= 1 << (bit & 31)
          }
          x = y
          y = z
        }
        continue
      }
      for (let p = starts[v]! - shift, at = 0; p < end; p++, at++) {
        const code = text.charCodeAt(p)
        let z = code
        if (!isLowered) {
          z = foldLatin1(code)
          if (code >= 65 && code <= 90) {
            letters |= 1 << (code - 65)
          }
        }
        if (at >= 2) {
          const bit = trigramBit(x, y, z)
          bits[base + (bit >>> 5)]! |= 1 << (bit & 31)
        }
        x = y
        y = z
      }
    }
    upper[b] = letters
  }
  return { blockStarts, bits, upper, covered: coveredBlocks > 0 ? covered : null }
}

/** The ASCII letters of a lower-cased needle, as {@link TrigramFilter.upper} bits. */
export function needleLetters(needle: string): number {
  let letters = 0
  for (let p = 0; p < needle.length; p++) {
    const code = needle.charCodeAt(p)
    if (code >= 97 && code <= 122) {
      letters |= 1 << (code - 97)
    }
  }
  return letters
}

/** The filter bits of a (lower-cased) needle's trigrams; empty when it has none (< 3 chars). */
export function needleTrigrams(needle: string): Uint32Array {
  const n = Math.max(0, needle.length - 2)
  const bits = new Uint32Array(n)
  for (let p = 0; p < n; p++) {
    bits[p] = trigramBit(needle.charCodeAt(p), needle.charCodeAt(p + 1), needle.charCodeAt(p + 2))
  }
  return bits
}

/**
 * The value ranges of a chunk that may hold the needle, as [first value, end value, exact]
 * triples of consecutive passing blocks (every block when the needle has no trigram); `exact` is
 * 1 when no block of the range holds any of the needle's `letters` ({@link needleLetters}) in
 * upper case, so the range may be searched case-sensitively. `isCoveredSkipped`: the blocks of
 * covered JSON texts are left out.
 */
export function candidateRanges(
  filter: TrigramFilter,
  trigrams: Uint32Array,
  letters: number,
  isCoveredSkipped = false
): number[] {
  const { blockStarts, bits, upper } = filter
  const skipped = isCoveredSkipped ? filter.covered : null
  const blocks = blockStarts.length - 1
  const ranges: number[] = []
  let open = -1
  let openExact = 0
  for (let b = 0; b < blocks; b++) {
    const base = b * WORDS
    let passes = skipped === null || skipped[b] === 0
    for (let t = 0; t < trigrams.length && passes; t++) {
      const bit = trigrams[t]!
      if ((bits[base + (bit >>> 5)]! & (1 << (bit & 31))) === 0) {
        passes = false
        break
      }
    }
    const exact = (upper[b]! & letters) === 0 ? 1 : 0
    if (open >= 0 && (!passes || exact !== openExact)) {
      ranges.push(open, blockStarts[b]!, openExact)
      open = -1
    }
    if (passes && open < 0) {
      open = blockStarts[b]!
      openExact = exact
    }
  }
  if (open >= 0) {
    ranges.push(open, blockStarts[blocks]!, openExact)
  }
  return ranges
}

/** Bytes a filter holds. */
export function trigramFilterBytes(filter: TrigramFilter): number {
  return (
    filter.blockStarts.byteLength +
    filter.bits.byteLength +
    filter.upper.byteLength +
    (filter.covered?.byteLength ?? 0)
  )
}
