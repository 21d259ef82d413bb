/**
 * The column chunks as the index holds them, and the scans that read across them: a flattened
 * field's or a pool-coded column's codes for every row, and the rows of given record Ids. Pure.
 */
import { MISSING } from './column-sort'
import type { GlobalPool } from './global-pool'
import type { CodeArray } from './growable'

/** A chunk as the index keeps it: what grid rows and field columns are read from. */
export interface LoadedChunk {
  firstRow: number
  count: number
  poolFirst: number
  codes: Uint16Array | Uint32Array
  /** RecordType and UserType numbers, NaN for null ({@link narrowNumbers}). */
  recordType: Float32Array | Float64Array
  userType: Float32Array | Float64Array
  flags: Uint8Array
  /** Chunk key code → global field key code. */
  keyMap: Uint32Array
  pairStart: Uint32Array
  pairKey: Uint8Array | Uint16Array | Uint32Array
  pairValue: Uint16Array | Uint32Array
}

/**
 * The numbers in half the bytes when a Float32Array holds each exactly (NaN, and integers up to
 * 2^24: the record and user types Purview writes), else the same array. At five million
 * records, the two columns' 80 MB become 40.
 */
export function narrowNumbers(numbers: Float64Array): Float32Array | Float64Array {
  for (let i = 0; i < numbers.length; i++) {
    const n = numbers[i]!
    if (!Number.isNaN(n) && !(Number.isInteger(n) && Math.abs(n) <= 2 ** 24)) {
      return numbers
    }
  }
  return Float32Array.from(numbers)
}

/** Pool codes of field `key` (a global field key code) for rows 0…size-1; MISSING where absent. */
export function fieldCodes(
  chunks: readonly LoadedChunk[],
  key: number | undefined,
  size: number
): Uint32Array {
  const codes = new Uint32Array(size).fill(MISSING)
  if (key === undefined) {
    return codes
  }
  for (const chunk of chunks) {
    const local = chunk.keyMap.indexOf(key)
    if (local < 0) {
      continue
    }
    const { pairStart, pairKey, pairValue, firstRow, poolFirst } = chunk
    for (let i = 0; i < chunk.count; i++) {
      for (let p = pairStart[i]!; p < pairStart[i + 1]!; p++) {
        if (pairKey[p] === local) {
          codes[firstRow + i] = poolFirst + pairValue[p]!
          break
        }
      }
    }
  }
  return codes
}

/** Global pool codes per row of the stored text column in `slot` (every row has one). */
export function poolColumnCodes(
  chunks: readonly LoadedChunk[],
  slot: number,
  size: number
): Uint32Array {
  const codes = new Uint32Array(size)
  for (const { codes: local, count, firstRow, poolFirst } of chunks) {
    for (let i = 0; i < count; i++) {
      codes[firstRow + i] = poolFirst + local[slot * count + i]!
    }
  }
  return codes
}

/** Row indices of the given record Ids (`idCodes`: the id column's pool codes per row). */
export function rowsOfIds(
  ids: Iterable<string>,
  chunks: readonly LoadedChunk[],
  pool: GlobalPool,
  idCodes: CodeArray,
  size: number
): Map<string, number> {
  const wanted = new Set(ids)
  const found = new Map<string, number>()
  if (wanted.size <= 32) {
    // A few Ids: find each in every chunk's pool (native string search), then its row.
    for (const id of wanted) {
      for (let c = 0; c < chunks.length && !found.has(id); c++) {
        const code = pool.find(c, id)
        if (code < 0) {
          continue
        }
        const chunk = chunks[c]!
        for (let row = chunk.firstRow; row < chunk.firstRow + chunk.count; row++) {
          if (idCodes[row] === code) {
            found.set(id, row)
            break
          }
        }
      }
    }
    return found
  }
  for (let row = 0; row < size && found.size < wanted.size; row++) {
    const id = pool.value(idCodes[row]!)
    if (wanted.has(id) && !found.has(id)) {
      found.set(id, row)
    }
  }
  return found
}
