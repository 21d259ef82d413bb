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
  /**
   * Pool codes of the field values, row after row (row i's from `pairStart[i]`); once
   * {@link sources} are made, only the values no slot repeats.
   */
  pairValue: Uint16Array | Uint32Array
  /** Which pairs repeat a slot's value (null: every pair has its value in `pairValue`). */
  sources: PairSources | null
}

/**
 * Field pairs that repeat a text column's value: Purview repeats the Id, the user, the
 * operation, the IP address… among a record's fields, so at a million records more than half of
 * the 22 million pairs hold the same value as one of the record's columns. Per shape (the rows
 * of one key sequence), a position whose value is a slot's in every row of the shape is read
 * from that slot instead of being kept in `pairValue` (26 MB at 1M).
 */
export interface PairSources {
  /** Per shape, per position: the slot whose value the pair holds, or -1 (kept in `pairValue`). */
  slots: Int8Array[]
  /** Per shape, per position kept in `pairValue`: its place among the row's kept values. */
  keptAt: Uint16Array[]
}

/**
 * For a prepared chunk's rows of shapes (and every slot's codes still held): the pairs that
 * repeat a slot, preferring a slot `isKept` marks (read from the chunk's own codes) to one read
 * through a dictionary. Returns the sources and the values then kept, with their row starts;
 * null when no position repeats a slot.
 */
export function pairSources(
  chunk: LoadedChunk,
  slotCount: number,
  isKept: (slot: number) => boolean
): { sources: PairSources; pairStart: Uint32Array; pairValue: Uint16Array | Uint32Array } | null {
  const { count, codes, pairStart, pairValue, shapes } = chunk
  if (!shapes || chunk.slotAt || slotCount > 31) {
    return null
  }
  const lengths = shapes.keys.map((keys) => keys.length)
  const base = new Uint32Array(lengths.length + 1)
  lengths.forEach((length, s) => (base[s + 1] = base[s]! + length))
  // Per shape position, the slots (bits) holding its value in every row so far: each row tests
  // only the slots left, so after a shape's first rows most positions test none or one.
  const masks = new Int32Array(base[lengths.length]!).fill(2 ** slotCount - 1)
  for (let i = 0; i < count; i++) {
    const shape = shapes.of[i]!
    const from = pairStart[i]!
    for (let j = 0, at = base[shape]!; j < lengths[shape]!; j++, at++) {
      let left = masks[at]!
      if (left === 0) {
        continue
      }
      const code = pairValue[from + j]!
      let holding = 0
      while (left !== 0) {
        const bit = left & -left
        left ^= bit
        if (codes[(31 - Math.clz32(bit)) * count + i] === code) {
          holding |= bit
        }
      }
      masks[at] = holding
    }
  }
  let keptMask = 0
  for (let slot = 0; slot < slotCount; slot++) {
    keptMask |= isKept(slot) ? 1 << slot : 0
  }
  let isAny = false
  const slots = lengths.map((length, s) =>
    Int8Array.from({ length }, (_, j) => {
      const mask = masks[base[s]! + j]!
      const from = mask & keptMask || mask
      if (from === 0) {
        return -1
      }
      isAny = true
      // The lowest slot of those.
      return 31 - Math.clz32(from & -from)
    })
  )
  if (!isAny) {
    return null
  }
  const keptAt = slots.map((shapeSlots) => {
    let k = 0
    return Uint16Array.from(shapeSlots, (slot) => (slot < 0 ? k++ : 0xffff))
  })
  const keptCounts = slots.map((shapeSlots) => shapeSlots.filter((slot) => slot < 0).length)
  const starts = new Uint32Array(count + 1)
  for (let i = 0; i < count; i++) {
    starts[i + 1] = starts[i]! + keptCounts[shapes.of[i]!]!
  }
  const values =
    pairValue instanceof Uint16Array
      ? new Uint16Array(starts[count]!)
      : new Uint32Array(starts[count]!)
  for (let i = 0; i < count; i++) {
    const shapeSlots = slots[shapes.of[i]!]!
    const from = pairStart[i]!
    let to = starts[i]!
    for (let j = 0; j < shapeSlots.length; j++) {
      if (shapeSlots[j]! < 0) {
        values[to++] = pairValue[from + j]!
      }
    }
  }
  return { sources: { slots, keptAt }, pairStart: starts, pairValue: values }
}

/** Where slot `slot`'s codes start in a chunk's `codes`. */
export function slotStart(chunk: Pick<LoadedChunk, 'slotAt' | 'count'>, slot: number): number {
  const at = chunk.slotAt ? chunk.slotAt[slot]! : slot
  if (at < 0) {
    throw new RangeError(`slot ${slot} was dropped from the chunk's codes`)
  }
  return at * chunk.count
}

/**
 * Where each of `slots` slots' codes go in a prepared chunk, for a chunk holding every slot: -1 for the
 * slots `isDropped` drops; a slot whose codes are, row for row, those of a slot kept before it
 * shares that slot's place (in most chunks the time's text, the permission, the target user and
 * the DLP sub-operation are '' in every row: four columns of one value; the item is often the
 * resource); each other slot gets the next place.
 */
export function preparedSlotAt(
  chunk: Pick<LoadedChunk, 'codes' | 'count'>,
  slots: number,
  isDropped: (slot: number) => boolean
): Int8Array {
  const { codes, count } = chunk
  const slotAt = new Int8Array(slots)
  // The slot holding each place.
  const placed: number[] = []
  for (let slot = 0; slot < slots; slot++) {
    if (isDropped(slot)) {
      slotAt[slot] = -1
      continue
    }
    const from = slot * count
    const same = placed.find((other) => {
      const start = other * count
      for (let i = 0; i < count; i++) {
        if (codes[start + i] !== codes[from + i]) {
          return false
        }
      }
      return true
    })
    if (same === undefined) {
      slotAt[slot] = placed.length
      placed.push(slot)
    } else {
      slotAt[slot] = slotAt[same]!
    }
  }
  return slotAt
}

/**
 * A chunk's codes of the slots `slotAt` keeps (at their new places; slots sharing a place hold
 * the same codes), for a chunk holding every slot.
 */
export function keptCodes(chunk: LoadedChunk, slotAt: Int8Array): Uint16Array | Uint32Array {
  const { codes, count } = chunk
  const kept = slotAt.reduce((n, at) => Math.max(n, at + 1), 0)
  const out =
    codes instanceof Uint16Array ? new Uint16Array(kept * count) : new Uint32Array(kept * count)
  slotAt.forEach((at, slot) => {
    if (at >= 0) {
      out.set(codes.subarray(slot * count, (slot + 1) * count), at * count)
    }
  })
  return out
}

/**
 * Pair `j` of row `i`: its own pool code, or, for a pair repeating a slot ({@link PairSources}),
 * -1 - that slot (the caller reads the slot: the chunk's codes, or a dictionary).
 */
export function pairCode(chunk: LoadedChunk, i: number, j: number): number {
  const sources = chunk.sources
  if (!sources) {
    return chunk.pairValue[chunk.pairStart[i]! + j]!
  }
  const shape = chunk.shapes!.of[i]!
  const slot = sources.slots[shape]![j]!
  return slot < 0 ? chunk.pairValue[chunk.pairStart[i]! + sources.keptAt[shape]![j]!]! : -1 - slot
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

/**
 * Pool codes of field `key` (a global field key code) for rows 0…size-1; MISSING where absent.
 * `dictionaryLocals(c, slot)`: chunk c's own codes of its rows' values of a slot the chunk reads
 * through a dictionary (for the pairs repeating it, {@link PairSources}).
 */
export function fieldCodes(
  chunks: readonly LoadedChunk[],
  key: number | undefined,
  size: number,
  dictionaryLocals: (c: number, slot: number) => Int32Array = () => {
    throw new RangeError('no dictionary to read a repeated value from')
  }
): Uint32Array {
  const codes = new Uint32Array(size).fill(MISSING)
  if (key === undefined) {
    return codes
  }
  for (let c = 0; c < chunks.length; c++) {
    const chunk = chunks[c]!
    const local = chunk.keyMap.indexOf(key)
    if (local < 0) {
      continue
    }
    const { pairStart, pairKey, pairValue, firstRow, poolFirst, shapes, sources } = chunk
    if (shapes) {
      // Where the key is in each shape (-1: absent), then one look-up per row.
      const at = Int32Array.from(shapes.keys, (keys) => keys.indexOf(local))
      const of = shapes.of
      // Per slot read through a dictionary: the chunk's codes of its rows' values.
      const locals: Int32Array[] = []
      for (let i = 0; i < chunk.count; i++) {
        const shape = of[i]!
        const p = at[shape]!
        if (p < 0) {
          continue
        }
        const slot = sources ? sources.slots[shape]![p]! : -1
        if (slot < 0) {
          const k = sources ? sources.keptAt[shape]![p]! : p
          codes[firstRow + i] = poolFirst + pairValue[pairStart[i]! + k]!
        } else if (chunk.slotAt && chunk.slotAt[slot]! < 0) {
          codes[firstRow + i] = poolFirst + (locals[slot] ??= dictionaryLocals(c, slot))[i]!
        } else {
          codes[firstRow + i] = poolFirst + chunk.codes[slotStart(chunk, slot) + i]!
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
