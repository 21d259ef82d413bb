/**
 * Every loaded chunk's string pool end to end: one global code space (chunk's first code + the
 * chunk's own code) without hashing a single value, and the quick search over it. Pure.
 */
import { freeNow } from '../../../shared/free-now'
import { POOL_SEPARATOR, isNarrowValue, poolOf, poolSlice } from '../db/record-chunk'

import {
  buildTrigramFilter,
  candidateRanges,
  needleLetters,
  needleTrigrams,
  trigramFilterBytes,
  type PoolText,
  type TrigramFilter
} from './pool-trigrams'
import {
  JOINING_CHARACTERS,
  droppedText,
  isInsideOnePart,
  asciiBytes,
  textWithout,
  type DroppedTexts,
  type JsonCover
} from './json-cover'
import { scratchUint8 } from './scratch'
import { SharedValues } from './shared-values'
import { indexOfSorted } from './sorted-codes'
import {
  TimeNeedle,
  isoSeconds,
  timeTextLocal,
  timeTexts,
  timeTextsBytes,
  type TimeTextSource,
  type TimeTexts
} from './time-texts'

interface PoolChunk extends PoolText {
  /** Global code of the chunk's first value. */
  first: number
  /** Both texts lower-cased, and their starts (made for a needle that is not ASCII). */
  lowered: PoolText | null
  /**
   * The one-byte text as it is, the wide text lower-cased, and their starts: what an ASCII
   * needle reads of a pool that is not ASCII (made on its first search or filter).
   */
  lowWide: PoolText | null
  /** Whether the pool is pure ASCII (decided on the first quick search). */
  isAscii: boolean | null
  /**
   * Whether `text` holds only narrow values (true but in a pool stored before the split that
   * holds a wider character); decided on the first quick search.
   */
  isNarrowText: boolean | null
  /** Where a needle may be (pool-trigrams.ts); made when the worker is idle. */
  filter: TrigramFilter | null
  /**
   * The covered JSON texts dropped from `text` (each left empty) and what rebuilds them
   * (json-cover.ts); null before the idle preparation, or when none is covered.
   */
  dropped: DroppedTexts | null
  /**
   * The values dropped from `text` (each left empty) because they are held once for every chunk
   * (shared-values.ts): their own codes, ascending, and their shared ids; null when none is.
   */
  shared: { locals: Uint32Array; ids: Uint32Array } | null
  /**
   * The values dropped from `text` (each left empty) because the rows' times rebuild them
   * (time-texts.ts), and the chunk's time of each of its rows; null when none is.
   */
  times: ChunkTimes | null
}

/** A chunk's time texts and the time of each of its rows (within the chunk). */
export interface ChunkTimes {
  texts: TimeTexts
  /** The time of each of the chunk's rows (a view of the time column as it is now). */
  of: () => Float64Array
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
  readonly shared = new SharedValues()
  /** The shared values as a pool the search reads (made again when values were added). */
  private sharedPool: PoolChunk | null = null

  /** Adds a chunk's pool (its one-byte and wide texts); returns the global code of its first value. */
  add(text: string, wide: string, starts: Uint32Array): number {
    const first = this.size
    this.chunks.push(poolChunk(text, wide, starts, first))
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
    return valueOf(chunk, code - chunk.first, this.shared)
  }

  /** Value `code` as one flat string (a rebuilt JSON text joined, not concatenated). */
  flatValue(code: number): string {
    const chunk = this.chunkOf(code)
    return valueOf(chunk, code - chunk.first, this.shared, true)
  }

  /** Value `local` (its own code) of chunk `c`. */
  localValue(c: number, local: number): string {
    return valueOf(this.chunks[c]!, local, this.shared)
  }

  /**
   * The values that contain `needle` (already lower-cased): for each chunk, their own codes,
   * ascending (a chunk without any needs no look at its rows; a list, not a mark per value of
   * the pool, which would be a pool-sized allocation each search). Only the blocks of values
   * whose trigram filter admits the needle are searched (pool-trigrams.ts), in chunks whose
   * filter is made ({@link prepareSearch}); other chunks are searched whole.
   * Shared values (shared-values.ts) are read once, and marked in each chunk that uses them.
   * Covered JSON texts, dropped from the pool (json-cover.ts), are marked apart
   * ({@link droppedMatches}). `isAnyColumn`: the marks only serve to find the records holding a
   * marked value, so such a text may contain the needle in one of its values and stay unmarked,
   * its record being found through that value.
   */
  mark(needle: string, isAnyColumn = false): number[][] {
    const search = needleSearch(needle, !ASCII_ONLY.test(needle))
    // (The empty needle is in every value, the emptied shared ones too: nothing to add.)
    const sharedHits = needle === '' ? null : this.sharedHits(search)
    const timeNeedle = TimeNeedle.of(needle)
    // The marks of a needle's longest run (droppedMatches), made once for every chunk.
    let run: { search: NeedleSearch; hits: Uint8Array | null; time: TimeNeedle | null } | null =
      null
    const markRun = (chunk: PoolChunk, needleRun: string): number[] => {
      if (run === null || run.search.needle !== needleRun) {
        const runSearch = needleSearch(needleRun, search.pattern === null)
        run = {
          search: runSearch,
          hits: this.sharedHits(runSearch),
          time: TimeNeedle.of(needleRun)
        }
      }
      return withTimes(withShared(markChunk(chunk, run.search), chunk, run.hits), chunk, run.time)
    }
    return this.chunks.map((chunk) => {
      const codes = withTimes(
        withShared(markChunk(chunk, search), chunk, sharedHits),
        chunk,
        timeNeedle
      )
      if (chunk.dropped === null || needle === '') {
        return codes
      }
      const found = droppedMatches(
        chunk,
        chunk.dropped,
        search,
        codes,
        isAnyColumn,
        this.shared,
        markRun
      )
      return found.length > 0 ? mergeAscending(codes, found) : codes
    })
  }

  /** Per shared id, 1 when the value holds the needle; null when no value is shared. */
  private sharedHits(search: NeedleSearch): Uint8Array | null {
    const size = this.shared.size
    if (size === 0) {
      return null
    }
    if (this.sharedPool === null || this.sharedPool.starts.length - 1 !== size) {
      const { text, starts } = this.shared.text()
      this.sharedPool = poolChunk(text, '', starts, 0)
    }
    const hits = new Uint8Array(size)
    for (const id of markChunk(this.sharedPool, search)) {
      hits[id] = 1
    }
    return hits
  }

  /**
   * Prepares chunk `c` for the search now (the worker does it when idle) if it is not: drops
   * from its pool the covered JSON texts (`cover`, json-cover.ts) and the values of `shareable`
   * (own codes, ascending) that the shared values take (shared-values.ts) and the time texts
   * the rows' times rebuild (`times`: the chunk's field values and its rows' times,
   * time-texts.ts), each left empty, and builds its trigram filter, noting which blocks hold
   * only dropped values (a search skips them: it marks those apart).
   */
  prepareSearch(
    c: number,
    cover: JsonCover | null = null,
    shareable: Uint32Array | null = null,
    times: (TimeTextSource & Pick<ChunkTimes, 'of'>) | null = null,
    asciiText?: Uint8Array | null
  ): void {
    const chunk = this.chunks[c]!
    if (chunk.filter) {
      return
    }
    const covered = cover?.covered ?? null
    const locals: number[] = []
    const ids: number[] = []
    for (const local of shareable ?? []) {
      const from = chunk.starts[local]!
      const end = chunk.starts[local + 1]! - 1
      // Only a value of the one-byte text, and not a covered text.
      if (end > chunk.text.length || covered?.[local] === 1) {
        continue
      }
      const id = this.shared.share(chunk.text.slice(from, end))
      if (id >= 0) {
        locals.push(local)
        ids.push(id)
      }
    }
    // A time text the shared values took, or a covered text (never one), stays as it is.
    const isShared = scratchUint8(
      'global-pool.isShared',
      locals.length > 0 ? chunk.starts.length - 1 : 0,
      0
    )
    for (const local of locals) {
      isShared[local] = 1
    }
    const timed = times
      ? timeTexts(
          times,
          chunk.starts.length - 1,
          times.of(),
          // Only a value of the one-byte text.
          (local) =>
            chunk.starts[local + 1]! - 1 <= chunk.text.length
              ? chunk.starts[local + 1]! - 1 - chunk.starts[local]!
              : -1,
          (local, text) => chunk.text.startsWith(text, chunk.starts[local]!),
          (local) => covered?.[local] === 1 || isShared[local] === 1
        )
      : null
    // The blocks are cut over the values as they were: those of dropped values are whole.
    let leftOut = covered
    if (locals.length > 0 || timed) {
      leftOut = scratchUint8('global-pool.leftOut', chunk.starts.length - 1, 0)
      if (covered) {
        leftOut.set(covered)
      }
      for (const local of locals) {
        leftOut[local] = 1
      }
      for (const local of timed?.locals ?? []) {
        leftOut[local] = 1
      }
    }
    const dropped = cover?.dropped ?? null
    const isDropping = dropped !== null || locals.length > 0 || timed !== null
    // The one-byte text's bytes (the caller's, or encoded here once when values are dropped) say
    // whether the pool is ASCII, and give the filter and the copy their bytes.
    const isKnown = asciiText !== undefined || isDropping
    const bytes = asciiText !== undefined ? asciiText : isDropping ? asciiBytes(chunk.text) : null
    if (isKnown) {
      isAsciiPool(chunk, bytes !== null)
    }
    // (Its bytes, when encoded, are the filter's to read: an ASCII text is read byte by byte.)
    chunk.filter = filterOf(chunk, leftOut, isKnown ? bytes : undefined)
    if (isDropping) {
      // The pool keeps none: each is rebuilt (json-cover.ts, time-texts.ts) or read shared.
      const codes = Uint32Array.from(
        mergeAscending(
          mergeAscending(dropped ? [...dropped.codes] : [], locals),
          timed ? [...timed.locals] : []
        )
      )
      const { text, starts } = textWithout(chunk.text, chunk.starts, codes, bytes)
      const replaced = chunk.starts
      chunk.text = text
      chunk.starts = starts
      chunk.dropped = dropped
      chunk.shared =
        locals.length > 0 ? { locals: Uint32Array.from(locals), ids: Uint32Array.from(ids) } : null
      chunk.times = timed ? { texts: timed, of: times!.of } : null
      // Copies made from the old text (a search before the preparation) are made again.
      chunk.lowered = null
      chunk.lowWide = null
      // The old starts are given back now (shared/free-now.ts): only those copies viewed them.
      freeNow(replaced)
    }
  }

  /**
   * What the pools hold: their text (a byte a character of the one-byte texts, two of the wide
   * ones; the shared values' included), the values' offsets, and the places of the values
   * held apart (shared values, time texts).
   */
  bytes(): { text: number; offsets: number; shared: number } {
    let text = this.shared.text().text.length
    let offsets = 0
    let shared = 0
    for (const chunk of this.chunks) {
      text += chunk.text.length + chunk.wide.length * 2
      offsets += chunk.starts.byteLength
      shared += chunk.shared ? chunk.shared.locals.byteLength + chunk.shared.ids.byteLength : 0
      shared += chunk.times ? timeTextsBytes(chunk.times.texts) : 0
    }
    return { text, offsets, shared }
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
    if (chunk.times !== null) {
      // A time text is in the chunk's pool once: rebuilt, or as it is.
      const local = timeTextLocal(chunk.times.texts, chunk.times.of(), value)
      if (local >= 0) {
        return chunk.first + local
      }
    }
    if (chunk.shared !== null) {
      // A value the shared values took (never the empty one) is in this chunk at most once, as
      // in its pool.
      const k = chunk.shared.ids.indexOf(this.shared.idOf(value))
      if (k >= 0) {
        return chunk.first + chunk.shared.locals[k]!
      }
    }
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
      if (
        chunk.starts[local] === base + at &&
        (chunk.dropped === null || indexOfSorted(chunk.dropped.codes, local) < 0) &&
        (chunk.shared === null || indexOfSorted(chunk.shared.locals, local) < 0) &&
        (chunk.times === null || indexOfSorted(chunk.times.texts.locals, local) < 0)
      ) {
        return chunk.first + local
      }
      from = at + 1
    }
  }
}

/**
 * A list of values (a dictionary's: a few thousand users, environments…) searched as a chunk's
 * pool is, with the same case rules, so a value is found here exactly when it would be there.
 */
export class SearchedValues {
  private pool: PoolChunk | null = null

  /** Per value of `values`, 1 when it contains `needle` (lower-cased). */
  hits(values: readonly string[], needle: string): Uint8Array {
    if (this.pool === null || this.pool.starts.length - 1 !== values.length) {
      // Made again when values were added (a value is never changed or removed).
      const { text, starts } = poolOf(values)
      this.pool = poolChunk(text, '', starts, 0)
    }
    const hits = new Uint8Array(values.length)
    for (const code of markChunk(this.pool, needleSearch(needle, !ASCII_ONLY.test(needle)))) {
      hits[code] = 1
    }
    return hits
  }
}

/** A pool of texts as added: nothing made from it yet, nothing dropped. */
function poolChunk(text: string, wide: string, starts: Uint32Array, first: number): PoolChunk {
  return {
    text,
    wide,
    starts,
    first,
    lowered: null,
    lowWide: null,
    isAscii: null,
    isNarrowText: null,
    filter: null,
    dropped: null,
    shared: null,
    times: null
  }
}

/** A needle as {@link markChunk} reads it. */
interface NeedleSearch {
  /** Lower-cased. */
  needle: string
  /**
   * The needle's case-insensitive pattern: an ASCII needle is found in text of ASCII and
   * Latin-1 characters exactly as in its lower-cased copy (a RegExp without the `u` flag never
   * folds a character above U+007F into ASCII, and no Latin-1 letter lower-cases into ASCII), so
   * the one-byte text needs no copy (the pool's size again in memory); only the small wide text
   * is lowered for it. Null: the needle is read in both texts lowered.
   */
  pattern: RegExp | null
  trigrams: Uint32Array
  letters: number
}

/** `isLowered`: read in the lowered texts (a needle that is not ASCII, or part of one). */
function needleSearch(needle: string, isLowered: boolean): NeedleSearch {
  return {
    needle,
    pattern: isLowered ? null : new RegExp(escapeRegExp(needle), 'gi'),
    trigrams: needleTrigrams(needle),
    letters: needleLetters(needle)
  }
}

/**
 * The values of a chunk's pool text that contain a needle (own codes, ascending): only the blocks
 * whose trigram filter admits it (pool-trigrams.ts), or the whole text before the chunk's filter
 * is made ({@link GlobalPool.prepareSearch}). Dropped JSON texts are left to the caller.
 */
function markChunk(chunk: PoolChunk, search: NeedleSearch): number[] {
  const { needle, pattern } = search
  const codes: number[] = []
  const isAscii = isAsciiPool(chunk)
  const isNarrowRegExp = pattern !== null && (isAscii || isNarrowText(chunk))
  const isWideRegExp = pattern !== null && isAscii
  const searched = isWideRegExp ? chunk : isNarrowRegExp ? lowWide(chunk) : lowered(chunk)
  const { starts } = searched
  const split = searched.text.length
  // `from`/`to`: offsets in the one-byte text then the wide one, end to end; `isExact`: the
  // range holds none of the needle's letters in upper case (pool-trigrams.ts `upper`), so
  // `indexOf` finds the (lower-case) needle there as the pattern would, and faster.
  const scan = (from: number, to: number, isExact: boolean): void => {
    const regExp = isExact ? null : pattern
    const narrowRegExp = isNarrowRegExp ? regExp : null
    const wideRegExp = isWideRegExp ? regExp : null
    if (from < split && to > split) {
      scanPart(searched.text, narrowRegExp, 0, from, split)
      scanPart(searched.wide, wideRegExp, split, split, to)
    } else if (from < split) {
      scanPart(searched.text, narrowRegExp, 0, from, to)
    } else {
      scanPart(searched.wide, wideRegExp, split, from, to)
    }
  }
  // `regExp`: the needle's pattern, or null to read with `indexOf` (a lower-cased text, or a
  // range without the needle's letters in upper case).
  const scanPart = (
    text: string,
    regExp: RegExp | null,
    base: number,
    whole: number,
    to: number
  ): void => {
    // A slice of a long string shares its characters: the search stops at the range's end.
    const from = whole - base
    const end = to - base
    const part = from === 0 && end === text.length ? text : text.slice(from, end)
    const origin = whole
    let at = 0
    // The value of the last match: later matches lie at or after it.
    let local = -1
    for (;;) {
      if (regExp !== null) {
        regExp.lastIndex = at
        // `test` makes no match object; the match is the needle's length (an ASCII needle:
        // a RegExp without the `u` flag matches one character for each of its own).
        at = regExp.test(part) ? regExp.lastIndex - needle.length : -1
      } else {
        at = part.indexOf(needle, at)
      }
      // (An empty needle is found at the very end too: no value starts there.)
      if (at < 0 || at >= part.length) {
        return
      }
      local = local < 0 ? upperBound(starts, origin + at) - 1 : valueAt(starts, local, origin + at)
      const valueEnd = starts[local + 1]! - 1
      if (origin + at + needle.length <= valueEnd) {
        codes.push(local)
        // Continue after this value: a value is marked once.
        at = valueEnd + 1 - origin
      } else {
        at++
      }
    }
  }
  // A chunk whose filter the idle preparation has not made yet is read whole: making a filter
  // reads every character more slowly than the search does (a five-million-record cache's
  // first search, made before the preparation ended, built them all and took 9.4 s).
  if (!chunk.filter) {
    scan(0, split + searched.wide.length, false)
    return codes
  }
  // Blocks of covered texts and shared values hold only dropped (empty) values: a needle finds
  // nothing there (the empty needle, every value).
  const isCoveredSkipped =
    (chunk.dropped !== null || chunk.shared !== null || chunk.times !== null) && needle !== ''
  const ranges = candidateRanges(chunk.filter, search.trigrams, search.letters, isCoveredSkipped)
  for (let r = 0; r < ranges.length; r += 3) {
    scan(starts[ranges[r]!]!, starts[ranges[r + 1]!]!, ranges[r + 2] === 1)
  }
  return codes
}

/** Value `local` of a chunk, a shared value read from `shared`, a dropped JSON text rebuilt. */
function valueOf(chunk: PoolChunk, local: number, shared: SharedValues, isFlat = false): string {
  const from = chunk.starts[local]!
  if (chunk.starts[local + 1]! - 1 === from) {
    const k = chunk.shared === null ? -1 : indexOfSorted(chunk.shared.locals, local)
    if (k >= 0) {
      return shared.value(chunk.shared!.ids[k]!)
    }
    const i = chunk.dropped === null ? -1 : indexOfSorted(chunk.dropped.codes, local)
    if (i >= 0) {
      return droppedText(chunk.dropped!, i, (value) => valueOf(chunk, value, shared), isFlat)
    }
    const t = chunk.times === null ? -1 : indexOfSorted(chunk.times.texts.locals, local)
    if (t >= 0) {
      return isoSeconds(chunk.times!.of()[chunk.times!.texts.rows[t]!]!)
    }
  }
  return localValue(chunk, local)
}

/**
 * A chunk's marks (`codes`, ascending) with its rebuilt time texts that hold the needle (none of
 * them is in `codes`: their place in the pool is empty, and the needle is not).
 */
function withTimes(codes: number[], chunk: PoolChunk, needle: TimeNeedle | null): number[] {
  if (needle === null || chunk.times === null) {
    return codes
  }
  const found = needle.hits(chunk.times.texts, chunk.times.of())
  return found.length === 0 ? codes : mergeAscending(codes, found)
}

/**
 * A chunk's marks (`codes`, ascending) with its shared values whose ids `hits` marks (none of
 * them is in `codes`: their place in the pool is empty, and the needle is not).
 */
function withShared(codes: number[], chunk: PoolChunk, hits: Uint8Array | null): number[] {
  if (hits === null || chunk.shared === null) {
    return codes
  }
  const { locals, ids } = chunk.shared
  const found: number[] = []
  for (let k = 0; k < locals.length; k++) {
    if (hits[ids[k]!] === 1) {
      found.push(locals[k]!)
    }
  }
  return found.length === 0 ? codes : mergeAscending(codes, found)
}

/**
 * The dropped texts of a chunk that hold the needle (own codes, ascending; `marked`: the chunk's
 * other values that hold it). Any run of the needle between the characters `"{}:,` lies, in a
 * covered text, inside one key or one value: every separator (`{"` `":"` `","` `"}`) holds a
 * `"`, and no key or value does. So a needle without those characters is in a text exactly when
 * it is in one of its keys or values — none is rebuilt; for an any-column search
 * (`isAnyColumn`) only the keys count, a record being found through the value the needle lies in.
 * A needle with them is looked for in the texts rebuilt, as the search reads the pool: only in
 * those with its longest run in a key or a value.
 */
function droppedMatches(
  chunk: PoolChunk,
  dropped: DroppedTexts,
  search: NeedleSearch,
  marked: readonly number[],
  isAnyColumn: boolean,
  shared: SharedValues,
  markRun: (chunk: PoolChunk, run: string) => number[]
): number[] {
  const { needle, pattern } = search
  const found: number[] = []
  const isInside = isInsideOnePart(needle)
  const run = isInside ? needle : longestRun(needle)
  // Without a run (a needle of joining characters only) every text is read.
  const keyHit = run === '' ? null : dropped.layoutKeys.map((keys) => keys.includes(run))
  const valueHit =
    run === '' || (isInside && isAnyColumn) ? null : new Uint8Array(chunk.starts.length - 1)
  if (valueHit !== null) {
    // The run read as the needle is: by its pattern, or in the lowered texts.
    for (const code of isInside ? marked : markRun(chunk, run)) {
      valueHit[code] = 1
    }
  } else if (keyHit !== null && !keyHit.includes(true)) {
    // Only a key could make a text hold the needle, and none does (the usual case: `a7` in a
    // million-record cache went through 400,000 texts for nothing).
    return found
  }
  const { layout, layouts, valueStart, values } = dropped
  dropped.codes.forEach((code, i) => {
    if (keyHit !== null && !keyHit[layout[i]!]) {
      let k = valueStart[i]!
      const end = valueHit === null ? k : k + layouts[layout[i]!]!.length
      while (k < end && valueHit![values[k]!] === 0) {
        k++
      }
      if (k === end) {
        return
      }
    }
    if (isInside) {
      found.push(code)
      return
    }
    const text = droppedText(dropped, i, (value) => valueOf(chunk, value, shared))
    let isFound: boolean
    if (pattern) {
      pattern.lastIndex = 0
      isFound = pattern.test(text)
    } else {
      isFound = text.toLowerCase().includes(needle)
    }
    if (isFound) {
      found.push(code)
    }
  })
  return found
}

/** The longest part of `needle` between characters that join a key or value (json-cover.ts). */
function longestRun(needle: string): string {
  let longest = ''
  for (const run of needle.split(JOINING_CHARACTERS)) {
    if (run.length > longest.length) {
      longest = run
    }
  }
  return longest
}

/** Two ascending lists of distinct codes (none in both) as one. */
function mergeAscending(a: readonly number[], b: readonly number[]): number[] {
  const merged: number[] = []
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! < b[j]!)) {
      merged.push(a[i++]!)
    } else {
      merged.push(b[j++]!)
    }
  }
  return merged
}

/** Value `local` of a chunk's texts, as they are. */
function localValue(pool: PoolText, local: number): string {
  return poolSlice(pool.text, pool.wide, pool.starts[local]!, pool.starts[local + 1]! - 1)
}

/**
 * `isTextAscii`: whether the one-byte text is ASCII, when the caller knows already. Otherwise
 * the text is encoded to find out (natively: a regular expression over it read each character,
 * about four times as long under Node, and a search before the idle preparation asked it of
 * every pool).
 */
function isAsciiPool(chunk: PoolChunk, isTextAscii?: boolean): boolean {
  if (chunk.isAscii === null) {
    chunk.isAscii = (isTextAscii ?? asciiBytes(chunk.text) !== null) && ASCII_ONLY.test(chunk.wide)
  }
  return chunk.isAscii
}

function isNarrowText(chunk: PoolChunk): boolean {
  if (chunk.isNarrowText === null) {
    chunk.isNarrowText = chunk.wide !== '' || isNarrowValue(chunk.text)
  }
  return chunk.isNarrowText
}

/**
 * A chunk's trigram filter, over the text the search reads: a narrow text folded as it is read
 * (pool-trigrams.ts), a wide one lower-cased (or folded too, when the pool is ASCII).
 */
function filterOf(
  chunk: PoolChunk,
  covered: Uint8Array | null,
  asciiText?: Uint8Array | null
): TrigramFilter {
  return isAsciiPool(chunk)
    ? buildTrigramFilter(chunk, false, false, covered, asciiText)
    : isNarrowText(chunk)
      ? buildTrigramFilter(lowWide(chunk), false, true, covered)
      : buildTrigramFilter(lowered(chunk), true, true, covered)
}

/** The one-byte text as it is and the wide text lower-cased (see {@link PoolChunk.lowWide}). */
function lowWide(chunk: PoolChunk): PoolText {
  chunk.lowWide ??= lowerCased(chunk, false)
  return chunk.lowWide
}

function lowered(chunk: PoolChunk): PoolText {
  chunk.lowered ??= lowerCased(chunk, true)
  return chunk.lowered
}

/**
 * A chunk's texts with the wide one lower-cased, and the one-byte one too when `isNarrowLowered`
 * (otherwise it is the chunk's own text, not a copy), with their starts.
 */
function lowerCased(chunk: PoolChunk, isNarrowLowered: boolean): PoolText {
  // (Lower-casing keeps a one-byte character one byte: a lowered one-byte text stays one-byte.)
  const text = isNarrowLowered ? chunk.text.toLowerCase() : chunk.text
  const wide = chunk.wide.toLowerCase()
  if (text.length === chunk.text.length && wide.length === chunk.wide.length) {
    return { text, wide, starts: chunk.starts }
  }
  // Some character changed length when lower-cased (e.g. U+0130): lower each value.
  const count = chunk.starts.length - 1
  const starts = new Uint32Array(count + 1)
  const narrowParts: string[] = []
  const wideParts: string[] = []
  let offset = 0
  for (let i = 0; i < count; i++) {
    const isNarrow = chunk.starts[i]! < chunk.text.length
    const value = localValue(chunk, i)
    const part = isNarrow && !isNarrowLowered ? value : value.toLowerCase()
    starts[i] = offset
    offset += part.length + 1
    if (!isNarrow) {
      wideParts.push(part)
    } else if (isNarrowLowered) {
      narrowParts.push(part)
    }
  }
  starts[count] = offset
  const join = (parts: string[]): string =>
    parts.length === 0 ? '' : parts.join(POOL_SEPARATOR) + POOL_SEPARATOR
  return { text: isNarrowLowered ? join(narrowParts) : chunk.text, wide: join(wideParts), starts }
}

/**
 * The value holding `offset`: the last `i` with `starts[i] <= offset`, searched forward from
 * `from` (whose start is at or before `offset`) by doubling steps, then halving — a match a few
 * values after the last costs a few reads, not a search of the whole pool.
 */
export function valueAt(starts: Uint32Array, from: number, offset: number): number {
  let lo = from
  let step = 1
  let hi = lo + 1
  while (hi < starts.length && starts[hi]! <= offset) {
    lo = hi
    step *= 2
    hi = lo + step
  }
  hi = Math.min(hi, starts.length)
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1
    if (starts[mid]! <= offset) {
      lo = mid
    } else {
      hi = mid
    }
  }
  return lo
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
