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
  /**
   * Pool codes of the stored text columns, column-major: slot `slot`'s codes start at
   * {@link slotStart}. The idle preparation drops the columns the index holds coded apart
   * (column-store.ts), noting where each kept slot went in `slotAt`.
   */
  codes: Uint16Array | Uint32Array
  /** Per slot, its place among the kept slots (-1: dropped); null while every slot is kept. */
  slotAt: Int8Array | null
  /** RecordType and UserType numbers, NaN for null ({@link numberColumn}; read with {@link numberAt}). */
  recordType: NumberColumn
  userType: NumberColumn
  flags: Uint8Array
  /** Chunk key code → global field key code. */
  keyMap: Uint32Array
  pairStart: Uint32Array
  /**
   * The key of every field pair, as stored; null once {@link shapes} replaced them (the idle
   * preparation, column-store.ts): read a row's keys with {@link rowKeys}.
   */
  pairKey: KeyArray | null
  shapes: PairShapes | null
  pairValue: Uint16Array | Uint32Array
}

/** Where slot `slot`'s codes start in a chunk's `codes`. */
export function slotStart(chunk: LoadedChunk, slot: number): number {
  const at = chunk.slotAt ? chunk.slotAt[slot]! : slot
  if (at < 0) {
    throw new RangeError(`slot ${slot} was dropped from the chunk's codes`)
  }
  return at * chunk.count
}

/**
 * A chunk's codes of the slots `slotAt` keeps (at their new places), for a chunk holding every
 * slot.
 */
export function keptCodes(chunk: LoadedChunk, slotAt: Int8Array): Uint16Array | Uint32Array {
  const { codes, count } = chunk
  const kept = slotAt.reduce((n, at) => (at >= 0 ? n + 1 : n), 0)
  const out =
    codes instanceof Uint16Array ? new Uint16Array(kept * count) : new Uint32Array(kept * count)
  slotAt.forEach((at, slot) => {
    if (at >= 0) {
      out.set(codes.subarray(slot * count, (slot + 1) * count), at * count)
    }
  })
  return out
}

/** Chunk key codes (one byte each while a chunk has at most 256 keys). */
export type KeyArray = Uint8Array | Uint16Array | Uint32Array

/**
 * The field keys of a chunk's rows as a few key sequences ("shapes") and, per row, the one it
 * follows: records of one kind carry the same fields in the same order, so a chunk of 4,096
 * records has a handful of shapes where it stored 90,000 pair keys (22 MB at a million records).
 */
export interface PairShapes {
  /** Per row, its shape. */
  of: Uint8Array | Uint16Array
  /** Per shape, its keys in pair order. */
  keys: KeyArray[]
}

/** Bytes held by a chunk's shapes. */
export function shapesBytes(shapes: PairShapes): number {
  return shapes.keys.reduce((bytes, keys) => bytes + keys.byteLength, shapes.of.byteLength)
}

/** A row's field keys (chunk key codes), in pair order. */
export function rowKeys(chunk: LoadedChunk, i: number): ArrayLike<number> {
  return chunk.shapes
    ? chunk.shapes.keys[chunk.shapes.of[i]!]!
    : chunk.pairKey!.subarray(chunk.pairStart[i]!, chunk.pairStart[i + 1]!)
}

/**
 * The shapes of a chunk's pair keys, or null when they would not take at most half the keys'
 * bytes (records of many kinds, or arrays of many lengths).
 */
export function pairShapes(
  pairStart: Uint32Array,
  pairKey: KeyArray,
  count: number
): PairShapes | null {
  const of = new Uint16Array(count)
  const keys: KeyArray[] = []
  let keyCount = 0
  // Shapes by a hash of their keys; equal hashes are told apart by comparing the keys.
  const byHash = new Map<number, number[]>()
  for (let i = 0; i < count; i++) {
    const from = pairStart[i]!
    const to = pairStart[i + 1]!
    let hash = to - from
    for (let p = from; p < to; p++) {
      hash = Math.imul(hash ^ pairKey[p]!, 0x9e3779b1)
    }
    let candidates = byHash.get(hash)
    let shape = -1
    for (const s of candidates ?? []) {
      const shapeKeys = keys[s]!
      let isSame = shapeKeys.length === to - from
      for (let k = 0; isSame && k < shapeKeys.length; k++) {
        isSame = shapeKeys[k] === pairKey[from + k]
      }
      if (isSame) {
        shape = s
        break
      }
    }
    if (shape < 0) {
      keyCount += to - from
      const ofBytes = keys.length < 0x100 ? count : 2 * count
      if (
        keys.length === 0x10000 ||
        (ofBytes + keyCount * pairKey.BYTES_PER_ELEMENT) * 2 > pairKey.byteLength
      ) {
        return null
      }
      shape = keys.length
      keys.push(pairKey.slice(from, to))
      if (!candidates) {
        candidates = []
        byHash.set(hash, candidates)
      }
      candidates.push(shape)
    }
    of[i] = shape
  }
  return { of: keys.length <= 0x100 ? Uint8Array.from(of) : of, keys }
}

/** A chunk's numbers as codes into its few distinct values (NaN included). */
export interface CodedNumbers {
  codes: Uint8Array
  values: Float64Array
}

/** A number column as a loaded chunk keeps it. */
export type NumberColumn = Float32Array | Float64Array | CodedNumbers

/**
 * A chunk's numbers (as {@link narrowNumbers} keeps them) as a byte a row when they hold at most
 * 256 distinct values (a chunk's record and user types hold a handful), else as they are. Made
 * by the idle preparation: at five million records, the two columns' 40 MB of Float32Array
 * become 10.
 */
export function numberColumn(numbers: Float32Array | Float64Array): NumberColumn {
  const values = new Float64Array(0x100)
  let size = 0
  const codes = new Uint8Array(numbers.length)
  let code = -1
  for (let i = 0; i < numbers.length; i++) {
    const n = numbers[i]!
    // (Mostly the row before's: compared with no call; a plain loop otherwise.)
    if (code < 0 || !isSameNumber(n, values[code]!)) {
      code = -1
      for (let k = 0; k < size; k++) {
        if (isSameNumber(n, values[k]!)) {
          code = k
          break
        }
      }
      if (code < 0) {
        if (size === 0x100) {
          return numbers
        }
        values[size] = n
        code = size++
      }
    }
    codes[i] = code
  }
  return { codes, values: values.slice(0, size) }
}

/** `Object.is` for numbers: NaN is NaN, -0 is not 0. */
function isSameNumber(a: number, b: number): boolean {
  return a === b ? a !== 0 || 1 / a === 1 / b : a !== a && b !== b
}

/** Bytes held by a number column. */
export function numberBytes(column: NumberColumn): number {
  return 'codes' in column ? column.codes.byteLength + column.values.byteLength : column.byteLength
}

/** Row `i`'s number. */
export function numberAt(column: NumberColumn, i: number): number {
  return 'codes' in column ? column.values[column.codes[i]!]! : column[i]!
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
    const { pairStart, pairKey, pairValue, firstRow, poolFirst, shapes } = chunk
    if (shapes) {
      // Where the key is in each shape (-1: absent), then one look-up per row.
      const at = Int32Array.from(shapes.keys, (keys) => keys.indexOf(local))
      const of = shapes.of
      for (let i = 0; i < chunk.count; i++) {
        const p = at[of[i]!]!
        if (p >= 0) {
          codes[firstRow + i] = poolFirst + pairValue[pairStart[i]! + p]!
        }
      }
      continue
    }
    for (let i = 0; i < chunk.count; i++) {
      for (let p = pairStart[i]!; p < pairStart[i + 1]!; p++) {
        if (pairKey![p] === local) {
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
  for (const chunk of chunks) {
    const { codes: local, count, firstRow, poolFirst } = chunk
    const start = slotStart(chunk, slot)
    for (let i = 0; i < count; i++) {
      codes[firstRow + i] = poolFirst + local[start + i]!
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
