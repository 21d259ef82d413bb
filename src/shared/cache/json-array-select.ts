/**
 * Selects elements of a JSON array given as UTF-8 bytes without decoding or parsing it: the
 * top-level element boundaries are found by one scan (strings and their escapes skipped, nesting
 * counted), and the kept elements' bytes are copied into a new array text. Used when a packed
 * chunk's provenance (one JSON array per chunk) loses a few rows (repeats main marked), so the
 * window copies bytes instead of parsing and re-serializing thousands of objects.
 */
import { isJsonSpace, JSON_BYTE } from '../json-bytes'

const { QUOTE, BACKSLASH, COMMA, OPEN_BRACKET, CLOSE_BRACKET, OPEN_BRACE, CLOSE_BRACE } = JSON_BYTE

/**
 * The `[start, end)` byte range of every top-level element of the JSON array `bytes`, or null
 * when `bytes` is not one array (unbalanced, trailing text, an empty element).
 */
export function jsonArrayElements(bytes: Uint8Array): Array<[number, number]> | null {
  let i = 0
  while (i < bytes.length && isJsonSpace(bytes[i]!)) i++
  if (bytes[i] !== OPEN_BRACKET) {
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
    if (isJsonSpace(b)) {
      continue
    }
    if (depth === 0 && (b === COMMA || b === CLOSE_BRACKET)) {
      if (start < 0) {
        // `[]` is an empty array; anything else without an element is not JSON.
        if (b === CLOSE_BRACKET && out.length === 0) {
          break
        }
        return null
      }
      out.push([start, end])
      start = -1
      if (b === CLOSE_BRACKET) {
        break
      }
      continue
    }
    if (start < 0) start = i
    if (b === OPEN_BRACKET || b === OPEN_BRACE) {
      depth++
    } else if (b === CLOSE_BRACKET || b === CLOSE_BRACE) {
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
    if (!isJsonSpace(bytes[i]!)) {
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
  out[at++] = OPEN_BRACKET
  keep.forEach((k, n) => {
    if (n > 0) out[at++] = COMMA
    const [from, to] = elements[k]!
    out.set(bytes.subarray(from, to), at)
    at += to - from
  })
  out[at++] = CLOSE_BRACKET
  return out
}
