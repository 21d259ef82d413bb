/**
 * A text column as the index codes it, for filters, ranks (column-ranks.ts) and sorting. Pure.
 */

import type { CodeArray } from './growable'

/** Code of a row without a value (a flattened field the record lacks). */
export const MISSING = 0xffffffff

/** A column as codes, for filters and sorting. */
export interface CodedColumn {
  /** One code per row: 8, 16 or 32-bit for a core column (its dictionary's size), 32 for a field. */
  codes: CodeArray
  /** Number of codes. */
  size: number
  value: (code: number) => string
  /**
   * True when every code is a distinct value in use by some row (an own dictionary, built from
   * the rows' values only).
   */
  isUnique: boolean
  /**
   * Where each code's text lies, when the codes are global pool codes (global-pool.ts): ranking
   * copies the characters of the codes in use without making a string per value.
   */
  pool?: PoolSlices
}

/**
 * Every chunk's pool in code order: its one-byte text and its wide text (global-pool.ts
 * `PoolText`), its value starts over both, the global code of its first.
 */
export interface PoolSlices {
  chunks: readonly { text: string; wide: string; starts: Uint32Array; first: number }[]
  /** A value its chunk's text does not hold (left empty there), as one flat string. */
  flatValue(code: number): string
}
