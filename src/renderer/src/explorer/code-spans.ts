/**
 * Where each value of a chunk's pool is used, so the quick search reads only the rows and columns
 * that can hold a matching value: per local pool code, the first and last row (within the chunk)
 * that use it, and which searched text columns (one bit each) and whether the flattened fields use
 * it. Made once per chunk, on the first search that finds a value in it. Pure.
 */

/** Bit of `where` for a value used by some flattened field. */
export const IN_FIELDS = 0x80000000
/** Searched text columns beyond this many are read as if every value might be in them. */
export const MAX_SLOT_BITS = 31

/** The chunk's layout the spans are made from (a loaded chunk satisfies it). */
export interface SpanSource {
  count: number
  /** Column-major: `codes[slot * count + i]`. */
  codes: Uint16Array | Uint32Array
  pairStart: Uint32Array
  pairValue: Uint16Array | Uint32Array
}

export interface CodeSpans {
  /** First row (within the chunk) using each code; `count` for a code no row uses. */
  first: Uint16Array | Uint32Array
  /** Last row using each code. */
  last: Uint16Array | Uint32Array
  /** Bit j: used by searched column `slots[j]`; {@link IN_FIELDS}: used by a flattened field. */
  where: Uint32Array
}

/** The spans of every code of a chunk's pool (`poolSize` values) over `slots` and the fields. */
export function codeSpans(
  chunk: SpanSource,
  poolSize: number,
  slots: readonly number[]
): CodeSpans {
  const { count, codes, pairStart, pairValue } = chunk
  const first = count < 0xffff ? new Uint16Array(poolSize) : new Uint32Array(poolSize)
  first.fill(count)
  const last = count < 0xffff ? new Uint16Array(poolSize) : new Uint32Array(poolSize)
  const where = new Uint32Array(poolSize)
  const note = (code: number, row: number, bit: number): void => {
    if (row < first[code]!) {
      first[code] = row
    }
    if (row > last[code]!) {
      last[code] = row
    }
    where[code]! |= bit
  }
  slots.forEach((slot, j) => {
    const bit = j < MAX_SLOT_BITS ? 1 << j : 0x7fffffff
    const column = codes.subarray(slot * count, (slot + 1) * count)
    for (let i = 0; i < count; i++) {
      note(column[i]!, i, bit)
    }
  })
  for (let i = 0; i < count; i++) {
    for (let p = pairStart[i]!; p < pairStart[i + 1]!; p++) {
      note(pairValue[p]!, i, IN_FIELDS)
    }
  }
  return { first, last, where }
}

/** Bytes held by a chunk's spans. */
export function codeSpansBytes(spans: CodeSpans): number {
  return spans.first.byteLength + spans.last.byteLength + spans.where.byteLength
}
