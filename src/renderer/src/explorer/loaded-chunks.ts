/**
 * The column chunks as the index holds them, and the scans that read across them: a flattened
 * field's value codes for every row, and the rows of given record Ids. Pure.
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
  recordType: Float64Array
  userType: Float64Array
  flags: Uint8Array
  /** Chunk key code → global field key code. */
  keyMap: Uint32Array
  pairStart: Uint32Array
  pairKey: Uint8Array | Uint16Array | Uint32Array
  pairValue: Uint16Array | Uint32Array
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
