/**
 * Selects elements of a JSON array given as UTF-8 bytes without decoding or parsing it: the
 * top-level element boundaries are found by one scan (strings and their escapes skipped, nesting
 * counted), and the kept elements' bytes are copied into a new array text. Used when a packed
 * chunk's provenance (one JSON array per chunk) loses a few rows (repeats main marked), so the
 * window copies bytes instead of parsing and re-serializing thousands of objects.
 */

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const OPEN_SQUARE = 0x5b
const CLOSE_SQUARE = 0x5d
const OPEN_CURLY = 0x7b
const CLOSE_CURLY = 0x7d

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09
}

/**
 * The `[start, end)` byte range of every top-level element of the JSON array `bytes`, or null
 * when `bytes` is not one array (unbalanced, trailing text, an empty element).
 */
export function jsonArrayElements(bytes: Uint8Array): Array<[number, number]> | null {
  let i = 0
  while (i < bytes.length && isSpace(bytes[i]!)) i++
  if (bytes[i] !== OPEN_SQUARE) {
    return null
  }
  i++
  const out: Array<[number, number]> = []
  let depth = 0
  let start = -1
  let end = -1
  for (; i < bytes.length; i++) {
    const b = bytes[i]!
    if (b === QUOTE) {
      if (start < 0) start = i
      for (i++; i < bytes.length && bytes[i] !== QUOTE; i++) {
        if (bytes[i] === BACKSLASH) i++
      }
      if (i >= bytes.length) {
        return null
      }
      end = i + 1
      continue
    }
    if (isSpace(b)) {
      continue
    }
    if (depth === 0 && (b === COMMA || b === CLOSE_SQUARE)) {
      if (start < 0) {
        // `[]` is an empty array; anything else without an element is not JSON.
        if (b === CLOSE_SQUARE && out.length === 0) {
          break
        }
        return null
      }
      out.push([start, end])
      start = -1
      if (b === CLOSE_SQUARE) {
        break
      }
      continue
    }
    if (start < 0) start = i
    if (b === OPEN_SQUARE || b === OPEN_CURLY) {
      depth++
    } else if (b === CLOSE_SQUARE || b === CLOSE_CURLY) {
      depth--
      if (depth < 0) {
        return null
      }
    }
    end = i + 1
  }
  if (i >= bytes.length) {
    return null
  }
  for (i++; i < bytes.length; i++) {
    if (!isSpace(bytes[i]!)) {
      return null
    }
  }
  return out
}

/**
 * The JSON array text (UTF-8) of the elements `keep` (ascending indexes) of the array `bytes`,
 * or null when `bytes` is not an array of exactly `count` elements.
 */
export function selectJsonArrayElements(
  bytes: Uint8Array,
  keep: readonly number[],
  count: number
): Uint8Array | null {
  const elements = jsonArrayElements(bytes)
  if (!elements || elements.length !== count) {
    return null
  }
  let size = 2 + Math.max(0, keep.length - 1)
  for (const k of keep) {
    const element = elements[k]
    if (!element) {
      return null
    }
    size += element[1] - element[0]
  }
  const out = new Uint8Array(size)
  let at = 0
  out[at++] = OPEN_SQUARE
  keep.forEach((k, n) => {
    if (n > 0) out[at++] = COMMA
    const [from, to] = elements[k]!
    out.set(bytes.subarray(from, to), at)
    at += to - from
  })
  out[at++] = CLOSE_SQUARE
  return out
}
