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
 * covered keys, and the chunk's covered texts are read as before. So skipping covered texts
 * never changes which records an any-column search finds (a column's own "contains" filter reads
 * every value and is not concerned). Made for each chunk while the worker is idle. Pure.
 */
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
  /** The keys of the covered texts, lower-cased, each followed by U+0000. */
  keys: string
}

const QUOTE = 34
const COMMA = 44
const COLON = 58
const OPEN = 123
const CLOSE = 125

/** Characters that may join a K or a V to the text around it: a needle with one is never skipped. */
const JOINING = /["{}:,]/

/**
 * Whether an any-column search for `needle` (lower-cased) may skip a chunk's covered texts, whose
 * keys are `keys` ({@link JsonCover.keys}).
 */
export function maySkipCovered(needle: string, keys: string): boolean {
  return needle !== '' && !JOINING.test(needle) && !keys.includes(needle)
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

/** Whether `text[a, a + length)` and `text[b, b + length)` are the same characters. */
function sameText(text: string, a: number, b: number, length: number): boolean {
  for (let k = 0; k < length; k++) {
    if (text.charCodeAt(a + k) !== text.charCodeAt(b + k)) {
      return false
    }
  }
  return true
}

/** Whether two texts' parts ({@link flatObjectParts}) have the same keys in the same order. */
function sameKeys(text: string, parts: readonly number[], other: readonly number[]): boolean {
  if (parts.length !== other.length) {
    return false
  }
  for (let k = 0; k < parts.length; k += 4) {
    const length = parts[k + 1]! - parts[k]!
    if (other[k + 1]! - other[k]! !== length || !sameText(text, parts[k]!, other[k]!, length)) {
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
  slots: readonly number[]
): JsonCover {
  const { count, codes, pairStart, pairValue } = chunk
  const { text, starts } = pool
  const size = starts.length - 1
  // 0: not looked at; 1: covered so far; 2: not covered.
  const state = new Uint8Array(size)
  for (const slot of slots) {
    const column = codes.subarray(slot * count, (slot + 1) * count)
    for (let i = 0; i < count; i++) {
      state[column[i]!] = 2
    }
  }
  const keys = new Set<string>()
  let lastParts: number[] = []
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
          sameText(text, start, parts[k + 2]!, length)
      }
      if (!isCovered) {
        state[code] = 2
        continue
      }
      if (state[code] === 0) {
        state[code] = 1
        // Texts mostly repeat the keys of the one before: those are not sliced again.
        if (!sameKeys(text, parts, lastParts)) {
          for (let k = 0; k < parts.length; k += 4) {
            keys.add(text.slice(parts[k]!, parts[k + 1]!))
          }
          lastParts = parts
        }
      }
    }
  }
  const covered = new Uint8Array(size)
  for (let code = 0; code < size; code++) {
    covered[code] = state[code] === 1 ? 1 : 0
  }
  return {
    covered,
    keys: [...keys]
      .map((key) => key + '\u0000')
      .join('')
      .toLowerCase()
  }
}
