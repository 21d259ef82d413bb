/**
 * The JSON texts the any-column quick search need not read. A flattened JSON field keeps its
 * whole text (`AdditionalInfo`: `{"ActionName":"PutApi","ConnectorName":"shared_sql"}`) AND each
 * of its values as a field of the same record (`AdditionalInfo.ActionName`: `PutApi`): at 1M
 * benchmark records the whole texts are a third of the pool's characters, read by every search.
 *
 * A value is **covered** when:
 * - its text is a flat JSON object in compact form, `{"K1":"V1",…,"Kn":"Vn"}` with no `"` inside
 *   a K or a V (read as text: no escape is interpreted, so none can mislead);
 * - no searched core column uses it, only flattened fields;
 * - every record that uses it as a field has, in the fields right after that one, the values
 *   V1…Vn, each as a whole value, in that order (what flattening writes).
 *
 * A needle holding none of `"{}:,` that occurs in a covered text lies inside one K or one V: when
 * in a V, the same record holds V and is found through it; when in a K, it is in this chunk's
 * covered keys, and the records whose covered texts have that key are found through the keys.
 * So skipping covered texts never changes which records an any-column search finds.
 *
 * A covered text is also exactly `{`, `"K":"V"` for each of its keys (V: the values that follow
 * it), `}`: the pool then drops its characters ({@link textWithout}) and keeps its keys and its
 * values' codes ({@link DroppedTexts}) to rebuild it whenever it is read — the grid, a column's
 * "contains" filter, a sort or a needle holding `"{}:,` read it whole (global-pool.ts). Made for
 * each chunk while the worker is idle. Pure.
 */
import { POOL_SEPARATOR } from '../db/record-chunk'

import { ownString } from './growable'
import { scratchInt32, scratchUint32, scratchUint8 } from './scratch'
import type { PoolText } from './pool-trigrams'

/** The chunk's layout the uses are read from (a loaded chunk satisfies it). */
export interface JsonCoverSource {
  count: number
  /** Column-major: `codes[slot * count + i]`. */
  codes: Uint16Array | Uint32Array
  pairStart: Uint32Array
  pairValue: Uint16Array | Uint32Array
}

export interface JsonCover {
  /** 1 for each of the chunk's own pool codes that is covered. */
  covered: Uint8Array
  /** What rebuilds each covered text without it (null: none is covered). */
  dropped: DroppedTexts | null
}

/**
 * The covered texts of a chunk as what rebuilds them, so the pool need not hold them (at 1M
 * benchmark records, ~100 MB of `AdditionalInfo` texts against ~9 MB of this): each is `{`, then
 * for each of its keys `"K":"V"` (V: the value with that place among the record's following
 * fields, by its pool code), comma-separated, then `}` — exactly its text, as verified.
 */
export interface DroppedTexts {
  /** The covered values' own pool codes, ascending. */
  codes: Uint32Array
  /** Per covered value, its keys (an index into `layouts`). */
  layout: Uint16Array | Uint32Array
  /** Per covered value, where its values' codes start in `values`; then their end. */
  valueStart: Uint32Array
  /** The covered values' values, as own pool codes, end to end. */
  values: Uint16Array | Uint32Array
  /** Each distinct list of keys, in order. */
  layouts: string[][]
  /** Each layout's keys lower-cased, each followed by U+0000. */
  layoutKeys: string[]
}

/** The text of dropped value `i`, its values read by `valueOf` (own pool codes). */
export function droppedText(
  dropped: DroppedTexts,
  i: number,
  valueOf: (local: number) => string,
  isFlat = false
): string {
  const keys = dropped.layouts[dropped.layout[i]!]!
  const at = dropped.valueStart[i]!
  if (isFlat) {
    // One flat string: a reader of its characters one by one (ranking a column, text-sort.ts)
    // reads it about twice as fast as a chain of concatenations (which a test needs not flatten).
    const parts: string[] = ['{']
    for (let k = 0; k < keys.length; k++) {
      parts.push(k === 0 ? '"' : ',"', keys[k]!, '":"', valueOf(dropped.values[at + k]!), '"')
    }
    parts.push('}')
    return parts.join('')
  }
  let text = '{'
  for (let k = 0; k < keys.length; k++) {
    text += `${k === 0 ? '' : ','}"${keys[k]!}":"${valueOf(dropped.values[at + k]!)}"`
  }
  return text + '}'
}

/**
 * A pool's one-byte text without the characters of the values `codes` (ascending; each must be
 * in that text), each left as an empty value, with the new starts of every value (the wide
 * text's follow).
 */
export function textWithout(
  text: string,
  starts: Uint32Array,
  codes: Uint32Array,
  bytes: Uint8Array | null = asciiBytes(text)
): { text: string; starts: Uint32Array } {
  const next = new Uint32Array(starts.length)
  // The runs of kept characters, [from, to) pairs: each but the last is followed by a dropped
  // value's separator.
  const runs: number[] = []
  let removed = 0
  // The first value and the first character of the run of kept values being copied.
  let value = 0
  let keptFrom = 0
  for (const code of codes) {
    for (; value < code; value++) {
      next[value] = starts[value]! - removed
    }
    runs.push(keptFrom, starts[code]!)
    // The dropped value: its separator only.
    next[code] = starts[code]! - removed
    removed += starts[code + 1]! - starts[code]! - 1
    keptFrom = starts[code + 1]!
    value = code + 1
  }
  for (; value < starts.length; value++) {
    next[value] = starts[value]! - removed
  }
  runs.push(keptFrom, text.length)
  return { text: bytes !== null ? movedDown(bytes, runs) : joinedRuns(text, runs), starts: next }
}

const latin1 = new TextDecoder('windows-1252')
const ascii = new TextEncoder()

/**
 * An ASCII text's bytes (one a character), encoded once; null when it holds another character.
 * {@link textWithout} takes them (moved in place) so a caller that has asked whether a pool is
 * ASCII does not encode it twice. A working array (scratch.ts): valid until the next call.
 */
export function asciiBytes(text: string): Uint8Array | null {
  const bytes = scratchUint8('json-cover.asciiBytes', text.length)
  const { read, written } = ascii.encodeInto(text, bytes)
  return read === text.length && written === text.length ? bytes : null
}

/**
 * The kept runs of an ASCII text given as its bytes, moved down within them, as a string (the
 * text is encoded once, not run by run: in the browser each `encodeInto` call first copies its
 * string out of V8, and a pool has thousands of runs).
 */
function movedDown(bytes: Uint8Array, runs: readonly number[]): string {
  const separator = POOL_SEPARATOR.charCodeAt(0)
  let at = 0
  for (let r = 0; r < runs.length; r += 2) {
    bytes.copyWithin(at, runs[r]!, runs[r + 1]!)
    at += runs[r + 1]! - runs[r]!
    if (r + 2 < runs.length) {
      bytes[at++] = separator
    }
  }
  return latin1.decode(bytes.subarray(0, at))
}

/** The kept runs of a text that is not ASCII, end to end (see {@link oneByteText}). */
function joinedRuns(text: string, runs: readonly number[]): string {
  const parts: string[] = []
  for (let r = 0; r < runs.length; r += 2) {
    if (runs[r + 1]! > runs[r]!) {
      parts.push(text.slice(runs[r]!, runs[r + 1]!))
    }
    if (r + 2 < runs.length) {
      parts.push(POOL_SEPARATOR)
    }
  }
  return oneByteText(parts)
}

/**
 * The parts end to end as a new string that holds no reference to them. Made by the browser's
 * decoder from their bytes when every character is one byte (the pool's one-byte text): such a
 * string lives outside the JavaScript heap, as the decoded pools do, so replacing the old pool
 * texts does not grow the heap by their size and the old ones are collected as the new ones are
 * made (a joined string, on the heap, left a 5M cache's old texts uncollected long after).
 */
function oneByteText(parts: readonly string[]): string {
  let length = 0
  for (const part of parts) {
    length += part.length
  }
  // (Not the bytes of asciiBytes: the caller may still hold those.)
  const bytes = scratchUint8('json-cover.oneByteText', length)
  let at = 0
  for (const part of parts) {
    // An ASCII part is its UTF-8 bytes, copied natively (at 1M records, copying the kept
    // characters took 509 ms under Node, now ~135); a part with another character is written
    // again code by code.
    const { read, written } = ascii.encodeInto(part, bytes.subarray(at))
    if (read === part.length && written === part.length) {
      at += written
      continue
    }
    for (let i = 0; i < part.length; i++) {
      const code = part.charCodeAt(i)
      // A C1 control or a wider character (a pool stored before the split): joined instead.
      if (code > 0xff || (code >= 0x80 && code < 0xa0)) {
        return parts.join('')
      }
      bytes[at++] = code
    }
  }
  return latin1.decode(bytes)
}

const QUOTE = 34
const COMMA = 44
const COLON = 58
const OPEN = 123
const CLOSE = 125

/** Characters that may join a K or a V to the text around it. */
export const JOINING_CHARACTERS = /["{}:,]/

/** Whether `needle`, found in a covered text, must lie inside one of its keys or values. */
export function isInsideOnePart(needle: string): boolean {
  return needle !== '' && !JOINING_CHARACTERS.test(needle)
}

/**
 * The K and V offsets of a flat compact JSON object at `text[from, end)`, as
 * [K start, K end, V start, V end] for each pair; null when the text is not one.
 */
export function flatObjectParts(text: string, from: number, end: number): number[] | null {
  // `{"` K `":"` V `"` then `,"` (another pair) or `}` (the end).
  if (end - from < 7 || text.charCodeAt(from) !== OPEN || text.charCodeAt(end - 1) !== CLOSE) {
    return null
  }
  const parts: number[] = []
  let at = from + 1
  for (;;) {
    if (text.charCodeAt(at) !== QUOTE) {
      return null
    }
    const keyEnd = text.indexOf('"', at + 1)
    if (
      keyEnd < 0 ||
      keyEnd + 3 >= end ||
      text.charCodeAt(keyEnd + 1) !== COLON ||
      text.charCodeAt(keyEnd + 2) !== QUOTE
    ) {
      return null
    }
    const valueEnd = text.indexOf('"', keyEnd + 3)
    if (valueEnd < 0 || valueEnd + 1 >= end) {
      return null
    }
    parts.push(at + 1, keyEnd, keyEnd + 3, valueEnd)
    const next = text.charCodeAt(valueEnd + 1)
    if (next === CLOSE) {
      return valueEnd + 2 === end ? parts : null
    }
    if (next !== COMMA) {
      return null
    }
    at = valueEnd + 2
  }
}

/**
 * Whether `text[a, a + length)` and `text[b, b + length)` are the same characters, read from the
 * text's `bytes` when it is ASCII ({@link asciiBytes}: reading a byte array is about twice as
 * fast as reading a string's characters one by one, and a chunk's JSON texts are compared whole).
 */
function sameText(
  text: string,
  bytes: Uint8Array | null,
  a: number,
  b: number,
  length: number
): boolean {
  if (bytes !== null) {
    for (let k = 0; k < length; k++) {
      if (bytes[a + k] !== bytes[b + k]) {
        return false
      }
    }
    return true
  }
  for (let k = 0; k < length; k++) {
    if (text.charCodeAt(a + k) !== text.charCodeAt(b + k)) {
      return false
    }
  }
  return true
}

/** Whether two texts' parts ({@link flatObjectParts}) have the same keys in the same order. */
function sameKeys(
  text: string,
  bytes: Uint8Array | null,
  parts: readonly number[],
  other: readonly number[]
): boolean {
  if (parts.length !== other.length) {
    return false
  }
  for (let k = 0; k < parts.length; k += 4) {
    const length = parts[k + 1]! - parts[k]!
    if (
      other[k + 1]! - other[k]! !== length ||
      !sameText(text, bytes, parts[k]!, other[k]!, length)
    ) {
      return false
    }
  }
  return true
}

/**
 * The covered values of a chunk whose pool is `pool` (its one-byte text holds every value that can
 * be covered; a value in the wide text never is), over the searched core columns `slots`.
 */
export function jsonCover(
  chunk: JsonCoverSource,
  pool: PoolText,
  slots: readonly number[],
  asciiText: Uint8Array | null = asciiBytes(pool.text)
): JsonCover {
  const { count, codes, pairStart, pairValue } = chunk
  const { text, starts } = pool
  const size = starts.length - 1
  // 0: not looked at; 1: covered so far; 2: not covered.
  const state = scratchUint8('json-cover.state', size, 0)
  for (const slot of slots) {
    const column = codes.subarray(slot * count, (slot + 1) * count)
    for (let i = 0; i < count; i++) {
      state[column[i]!] = 2
    }
  }
  // Per value: the pair of its first use (its values follow it) and its keys' layout.
  // (Read only for covered values, each written when first covered: not cleared.)
  const firstUse = scratchInt32('json-cover.firstUse', size)
  const layoutOf = scratchUint32('json-cover.layoutOf', size)
  const layouts: string[][] = []
  const layoutIndex = new Map<string, number>()
  let lastParts: number[] = []
  let lastLayout = -1
  for (let i = 0; i < count; i++) {
    const last = pairStart[i + 1]!
    for (let p = pairStart[i]!; p < last; p++) {
      const code = pairValue[p]!
      if (state[code] === 2) {
        continue
      }
      const from = starts[code]!
      const end = starts[code + 1]! - 1
      const parts =
        end <= text.length && text.charCodeAt(from) === OPEN
          ? flatObjectParts(text, from, end)
          : null
      if (parts === null || p + parts.length / 4 >= last) {
        state[code] = 2
        continue
      }
      let isCovered = true
      for (let k = 0; k < parts.length && isCovered; k += 4) {
        const child = pairValue[p + 1 + k / 4]!
        const start = starts[child]!
        const length = parts[k + 3]! - parts[k + 2]!
        isCovered =
          starts[child + 1]! - 1 - start === length &&
          start + length <= text.length &&
          sameText(text, asciiText, start, parts[k + 2]!, length)
      }
      if (!isCovered) {
        state[code] = 2
        continue
      }
      if (state[code] === 0) {
        state[code] = 1
        firstUse[code] = p
        // Texts mostly repeat the keys of the one before: those are not sliced again.
        if (lastLayout < 0 || !sameKeys(text, asciiText, parts, lastParts)) {
          const found: string[] = []
          for (let k = 0; k < parts.length; k += 4) {
            found.push(text.slice(parts[k]!, parts[k + 1]!))
          }
          const joined = found.join(POOL_SEPARATOR)
          let index = layoutIndex.get(joined)
          if (index === undefined) {
            index = layouts.length
            // Kept with the dropped texts: copies, not slices of the pool text they leave.
            layouts.push(found.map(ownString))
            layoutIndex.set(joined, index)
          }
          lastLayout = index
          lastParts = parts
        }
        layoutOf[code] = lastLayout
      }
    }
  }
  const covered = new Uint8Array(size)
  let coveredCount = 0
  let valueCount = 0
  for (let code = 0; code < size; code++) {
    if (state[code] === 1) {
      covered[code] = 1
      coveredCount++
      valueCount += layouts[layoutOf[code]!]!.length
    }
  }
  return {
    covered,
    dropped:
      coveredCount === 0
        ? null
        : droppedTexts(covered, coveredCount, valueCount, firstUse, layoutOf, layouts, chunk)
  }
}

/** The covered values as {@link DroppedTexts} (their values: those after their first use). */
function droppedTexts(
  covered: Uint8Array,
  coveredCount: number,
  valueCount: number,
  firstUse: Int32Array,
  layoutOf: Uint32Array,
  layouts: string[][],
  chunk: JsonCoverSource
): DroppedTexts {
  const codes = new Uint32Array(coveredCount)
  const layout =
    layouts.length <= 0x10000 ? new Uint16Array(coveredCount) : new Uint32Array(coveredCount)
  const valueStart = new Uint32Array(coveredCount + 1)
  const values =
    covered.length <= 0x10000 ? new Uint16Array(valueCount) : new Uint32Array(valueCount)
  let i = 0
  let at = 0
  for (let code = 0; code < covered.length; code++) {
    if (covered[code] !== 1) {
      continue
    }
    codes[i] = code
    layout[i] = layoutOf[code]!
    valueStart[i] = at
    const p = firstUse[code]!
    for (let k = 0; k < layouts[layoutOf[code]!]!.length; k++) {
      values[at++] = chunk.pairValue[p + 1 + k]!
    }
    i++
  }
  valueStart[coveredCount] = at
  const layoutKeys = layouts.map((keys) =>
    keys
      .map((key) => key + POOL_SEPARATOR)
      .join('')
      .toLowerCase()
  )
  return {
    codes,
    layout,
    valueStart,
    values,
    layouts,
    layoutKeys
  }
}
