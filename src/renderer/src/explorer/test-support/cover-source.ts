import type { JsonCoverSource } from '../json-cover'

/**
 * A chunk of one searched core column (slot 0) holding `core[i]` for record i, and record i's
 * field values `fields[i]` (own pool codes).
 */
export function chunkOf(core: number[], fields: number[][]): JsonCoverSource {
  const pairStart = new Uint32Array(fields.length + 1)
  fields.forEach((values, i) => (pairStart[i + 1] = pairStart[i]! + values.length))
  return {
    count: core.length,
    codes: Uint16Array.from(core),
    pairStart,
    pairValue: Uint16Array.from(fields.flat())
  }
}
