/**
 * The storage half of the Explorer's columnar index (column-index.ts answers queries over it):
 * the cache's persisted column chunks (db/record-chunk.ts) held as typed arrays, with no
 * per-record objects and no per-value hashing of unique values:
 *
 * - the event time is a Float64Array;
 * - every chunk's string pool joins the global pool: global code = the chunk's first code + the
 *   chunk's own code. Ids, items, resources, object ids and IP addresses (nearly one value per
 *   record) and every flattened field value are coded against it, their codes per row made when
 *   a sort, filter or stack first needs them (the chunks' own codes hold them already);
 * - low-cardinality core columns (activity, user, environment…) are re-coded into their own
 *   dictionaries, one look-up per distinct value of a chunk, so facets count by code;
 * - the flattened fields stay in their chunks as (key code, value code) pairs with per-row offsets;
 * - tags (annotations) are kept per row and per tag.
 *
 * Pure: no Dexie, no DOM.
 */
import { LRUCache } from 'lru-cache'

import {
  COLUMN_SLOT,
  STORED_TEXT_COLUMNS,
  assembleRecord,
  poolValue,
  type ColumnChunk,
  type StoredTextColumn
} from '../db/record-chunk'
import { freeNow } from '../../../shared/free-now'

import type { CodedColumn } from './column-sort'
import { GlobalPool, SearchedValues } from './global-pool'
import { asciiBytes, jsonCover } from './json-cover'
import {
  fieldCodes,
  keptCodes,
  narrowNumbers,
  numberAt,
  numberBytes,
  numberColumn,
  pairCode,
  pairShapes,
  pairSources,
  preparedSlotAt,
  poolColumnCodes,
  rowKeys,
  rowsOfIds,
  shapesBytes,
  slotStart,
  type LoadedChunk
} from './loaded-chunks'
import { Dictionary, GrowableCodes, GrowableF64, GrowableU32, type CodeArray } from './growable'
import type { RowColumns } from './row-columns'
import { scratchUint8 } from './scratch'
import { valueRows, valueRowsBytes, type ValueRows } from './value-rows'
import {
  FIELD_PREFIX,
  HIGH_CARDINALITY_COLUMNS,
  TEXT_COLUMNS,
  type FieldKeyInfo,
  type GridRow,
  type TextColumn
} from './query-types'

/** Text columns coded against the global pool (nearly one distinct value per record). */
const POOL_COLUMNS: ReadonlySet<TextColumn> = new Set<TextColumn>([
  ...HIGH_CARDINALITY_COLUMNS,
  'clientIp'
])

/** Slots of the pool-coded columns. */
const POOL_SLOTS: ReadonlySet<number> = new Set([...POOL_COLUMNS].map((c) => COLUMN_SLOT[c]))

/** The text columns coded against their own dictionaries (users, activities…). */
const DICTIONARY_COLUMNS: ReadonlySet<StoredTextColumn> = new Set(
  TEXT_COLUMNS.filter((column) => !POOL_COLUMNS.has(column))
)

/**
 * Which slots a prepared chunk keeps (-1: dropped; where each kept one goes is the chunk's own:
 * loaded-chunks.ts `preparedSlotAt`). The dictionary-coded columns'
 * pool codes serve the preparation only (value rows, covered texts, shared values): the index
 * reads those columns through their dictionary codes (a byte or two a row, made when the chunk
 * is loaded), so the chunk's own codes of them go once it is prepared: 24 MB at 1M records.
 */
const PREPARED_SLOT_AT: Int8Array = (() => {
  const slotAt = new Int8Array(STORED_TEXT_COLUMNS.length)
  let at = 0
  STORED_TEXT_COLUMNS.forEach((column, slot) => {
    slotAt[slot] = DICTIONARY_COLUMNS.has(column) ? -1 : at++
  })
  return slotAt
})()

/**
 * Of the searched `slots`, those a quick search reads through the chunks' value rows (or, in a
 * chunk not prepared yet, its codes): the pool-coded columns'. The other searched columns are
 * coded against their own dictionaries, read once per search ({@link ColumnStore.markCodedRows}):
 * their rows would take half the value rows' bytes.
 */
export function valueRowSlots(slots: readonly number[]): number[] {
  return slots.filter((slot) => POOL_SLOTS.has(slot))
}

/** Of the searched `slots`, those a quick search reads through their dictionaries. */
function dictionarySlots(slots: readonly number[]): number[] {
  return slots.filter((slot) => !POOL_SLOTS.has(slot))
}

/** Sets 1 in `mask` for rows 0…size-1 whose code `hits` marks. */
function markRowsOf(hits: Uint8Array, codes: CodeArray, size: number, mask: Uint8Array): void {
  const hit = hits.indexOf(1)
  if (hit < 0) {
    return
  }
  if (hits.indexOf(1, hit + 1) < 0) {
    // One value (a user, an operation): a comparison, not a look-up, per row.
    for (let row = 0; row < size; row++) {
      if (codes[row] === hit) {
        mask[row] = 1
      }
    }
    return
  }
  for (let row = 0; row < size; row++) {
    mask[row]! |= hits[codes[row]!]!
  }
}

/**
 * The stored text columns whose values the chunks' pools share (shared-values.ts): all but the
 * pool-coded ones and the time's text (nearly one value per record).
 */
const SHARED_SLOTS: readonly number[] = STORED_TEXT_COLUMNS.filter(
  (column) => !POOL_COLUMNS.has(column as TextColumn) && column !== 'createdAt'
).map((column) => COLUMN_SLOT[column])

/**
 * Pool-coded columns (flattened fields, and the core columns of {@link POOL_COLUMNS}) whose
 * per-row data (codes here; ranks and sort orders in column-index.ts) are kept at once: a cache
 * may have hundreds of field keys, each four bytes a row, and a long session would otherwise
 * keep every one it ever sorted or filtered by.
 */
export const KEPT_FIELD_COLUMNS = 8

/** A low-cardinality core text column: codes per row against its own dictionary (as narrow as its size allows). */
export interface TextColumnData {
  codes: GrowableCodes
  dict: Dictionary
}

/** The rows of the index as typed arrays. Rows are numbered 0…size-1 in the order appended. */
export class ColumnStore {
  readonly times = new GrowableF64()
  readonly text = new Map<TextColumn, TextColumnData>()
  readonly pool = new GlobalPool()
  readonly chunks: LoadedChunk[] = []
  readonly fieldKeys = new Dictionary()
  private readonly fieldKeyCounts = new GrowableU32()
  private readonly rowTags = new Map<number, string[]>()
  readonly tagIndex = new Map<string, Set<number>>()
  /**
   * Global codes per row of the pool-coded columns used last (4 bytes a row each): flattened
   * fields, and the core columns of {@link POOL_COLUMNS} (at five million records, 100 MB if
   * all five were kept from the start).
   */
  private readonly fieldColumns = new LRUCache<string, Uint32Array>({ max: KEPT_FIELD_COLUMNS })
  private scratch = new Int32Array(0)
  /** The dictionary-coded columns' values as the quick search reads them. */
  private readonly searchedDicts = new Map<TextColumn, SearchedValues>()
  /** Per chunk, the rows using each pool value (value-rows.ts); made while the worker is idle. */
  private readonly valueRows: (ValueRows | undefined)[] = []
  /** Chunks 0…searchReady-1 have their search filters and value rows. */
  private searchReady = 0

  constructor() {
    for (const column of TEXT_COLUMNS) {
      if (!POOL_COLUMNS.has(column)) {
        this.text.set(column, { codes: new GrowableCodes(), dict: new Dictionary() })
      }
    }
  }

  /** How many rows are stored. */
  get size(): number {
    return this.times.length
  }

  /** Makes room for `rows` rows at once (the cache's size is known before its chunks arrive). */
  reserve(rows: number): void {
    this.times.reserve(rows)
    for (const [, data] of this.text) {
      data.codes.reserve(rows)
    }
  }

  /**
   * Appends a persisted column chunk as new rows: typed-array copies plus one dictionary look-up
   * per distinct low-cardinality value of the chunk.
   */
  appendChunk(chunk: ColumnChunk): void {
    const count = chunk.count
    const firstRow = this.size
    const poolFirst = this.pool.add(chunk.pool, chunk.widePool ?? '', chunk.poolStarts)
    this.times.pushAll(chunk.times)
    const poolSize = chunk.poolStarts.length - 1
    if (this.scratch.length < poolSize) {
      this.scratch = new Int32Array(Math.max(poolSize, this.scratch.length * 2))
    }
    const remap = this.scratch
    for (const [column, data] of this.text) {
      const slot = COLUMN_SLOT[column]
      const local = chunk.codes.subarray(slot * count, (slot + 1) * count)
      const touched: number[] = []
      data.codes.reserve(data.codes.length + count)
      let codes = data.codes.data
      let at = data.codes.length
      for (let i = 0; i < count; i++) {
        const code = local[i]!
        let global = remap[code]! - 1
        if (global < 0) {
          global = data.dict.code(poolValue(chunk, code))
          remap[code] = global + 1
          touched.push(code)
          if (global > data.codes.limit) {
            data.codes.length = at
            data.codes.fit(global)
            codes = data.codes.data
          }
        }
        codes[at++] = global
      }
      data.codes.length = at
      for (const code of touched) {
        remap[code] = 0
      }
    }
    const keyMap = new Uint32Array(chunk.keys.length)
    chunk.keys.forEach((key, k) => {
      const code = this.fieldKeys.code(key)
      while (this.fieldKeyCounts.length <= code) {
        this.fieldKeyCounts.push(0)
      }
      keyMap[k] = code
    })
    const counts = this.fieldKeyCounts.data
    for (let p = 0; p < chunk.pairKey.length; p++) {
      counts[keyMap[chunk.pairKey[p]!]!]!++
    }
    this.chunks.push({
      firstRow,
      count,
      poolFirst,
      codes: chunk.codes,
      recordType: narrowNumbers(chunk.recordType),
      userType: narrowNumbers(chunk.userType),
      flags: chunk.flags,
      keyMap,
      pairStart: chunk.pairStart,
      pairKey: chunk.pairKey,
      shapes: null,
      sources: null,
      slotAt: null,
      pairValue: chunk.pairValue
    })
    this.fieldColumns.clear()
  }

  /** The chunk number (in load order) and the position within it of a row. */
  chunkSlotOf(row: number): { n: number; slot: number } {
    const chunks = this.chunks
    let lo = 0
    let hi = chunks.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1
      if (chunks[mid]!.firstRow <= row) {
        lo = mid
      } else {
        hi = mid - 1
      }
    }
    return { n: lo, slot: row - chunks[lo]!.firstRow }
  }

  /**
   * A row as the grid shows it (everything but the raw text and warnings), with its tags; with
   * `want`, a lean row: only those values (row-columns.ts), the other text columns empty.
   */
  gridRow(row: number, want?: RowColumns): GridRow {
    const { n, slot: i } = this.chunkSlotOf(row)
    const chunk = this.chunks[n]!
    // Every value of the row is in its own chunk's pool: no search of the global pool.
    const local = (code: number): string => this.pool.localValue(n, code)
    const stored = (column: StoredTextColumn): string => {
      const coded = DICTIONARY_COLUMNS.has(column) ? this.text.get(column as TextColumn) : null
      return coded
        ? coded.dict.values[coded.codes.data[row]!]!
        : local(chunk.codes[slotStart(chunk, COLUMN_SLOT[column]) + i]!)
    }
    const fields: Record<string, string> = {}
    const keys = this.fieldKeys.values
    const pairKeys = rowKeys(chunk, i)
    // A pair's value, or the column's it repeats.
    const pair = (k: number): string => {
      const code = pairCode(chunk, i, k)
      return code >= 0 ? local(code) : stored(STORED_TEXT_COLUMNS[-1 - code]!)
    }
    if (!want) {
      for (let k = 0; k < pairKeys.length; k++) {
        fields[keys[chunk.keyMap[pairKeys[k]!]!]!] = pair(k)
      }
    } else if (want.fields.size > 0) {
      for (let k = 0; k < pairKeys.length; k++) {
        const key = keys[chunk.keyMap[pairKeys[k]!]!]!
        if (want.fields.has(key)) {
          fields[key] = pair(k)
        }
      }
    }
    return {
      ...assembleRecord(
        want ? (column) => (want.text.has(column) ? stored(column) : '') : stored,
        this.times.data[row]!,
        numberAt(chunk.recordType, i),
        numberAt(chunk.userType, i),
        chunk.flags[i]!,
        fields
      ),
      tags: !want || want.tags ? this.tagsOf(row) : []
    }
  }

  /** Replaces the tags of rows (row index → tags); an empty list removes them. */
  setTags(entries: Iterable<readonly [number, readonly string[]]>): void {
    for (const [row, tags] of entries) {
      for (const old of this.rowTags.get(row) ?? []) {
        this.tagIndex.get(old)?.delete(row)
      }
      if (tags.length === 0) {
        this.rowTags.delete(row)
        continue
      }
      this.rowTags.set(row, [...tags])
      for (const tag of tags) {
        let rows = this.tagIndex.get(tag)
        if (!rows) {
          rows = new Set()
          this.tagIndex.set(tag, rows)
        }
        rows.add(row)
      }
    }
  }

  /** The tags of a row. */
  tagsOf(row: number): string[] {
    return this.rowTags.get(row) ?? []
  }

  /** Every tag in use. */
  tags(): string[] {
    return [...this.tagIndex.entries()]
      .filter(([, rows]) => rows.size > 0)
      .map(([tag]) => tag)
      .sort()
  }

  /** The record Id of a row. */
  idOf(row: number): string {
    const { n, slot: i } = this.chunkSlotOf(row)
    const chunk = this.chunks[n]!
    return this.pool.localValue(n, chunk.codes[slotStart(chunk, COLUMN_SLOT.id) + i]!)
  }

  /** Row indices of the given record Ids. */
  rowsOfIds(ids: Iterable<string>): Map<string, number> {
    return rowsOfIds(ids, this.chunks, this.pool, this.coded('id')!.codes, this.size)
  }

  /** Every flattened field key seen, most common first. */
  fieldKeyInfo(): FieldKeyInfo[] {
    return this.fieldKeys.values
      .map((key, code) => ({ key, count: this.fieldKeyCounts.data[code]! }))
      .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
  }

  /** A column as codes: core text columns, or flattened fields (`f:key`, pool codes). */
  coded(colId: string): CodedColumn | null {
    const data = this.text.get(colId as TextColumn)
    const pool = this.pool
    if (data) {
      const dict = data.dict
      return {
        codes: data.codes.data,
        size: dict.values.length,
        value: (code) => dict.values[code]!,
        isUnique: true
      }
    }
    const isPoolColumn = POOL_COLUMNS.has(colId as TextColumn)
    if (!isPoolColumn && !colId.startsWith(FIELD_PREFIX)) {
      return null
    }
    let codes = this.fieldColumns.get(colId)
    if (!codes) {
      codes = isPoolColumn
        ? poolColumnCodes(this.chunks, COLUMN_SLOT[colId as StoredTextColumn], this.size)
        : fieldCodes(
            this.chunks,
            this.fieldKeys.codes.get(colId.slice(FIELD_PREFIX.length)),
            this.size,
            this.dictionaryLocals()
          )
      this.fieldColumns.set(colId, codes)
    }
    return { codes, size: pool.size, value: (code) => pool.value(code), isUnique: false, pool }
  }

  /**
   * For {@link fieldCodes}: chunk c's own codes of its rows' values of a dictionary-coded slot,
   * each value found once per chunk.
   */
  private dictionaryLocals(): (c: number, slot: number) => Int32Array {
    // Per slot, by dictionary code: the chunk's code, valid where `stamps` holds the chunk plus one.
    const locals: Int32Array[] = []
    const stamps: Int32Array[] = []
    // By shared id (shared-values.ts): the code of chunk `sharedOf` that took the value, or -1.
    const sharedLocal = new Int32Array(this.pool.shared.size).fill(-1)
    let sharedOf = -1
    return (c, slot) => {
      const { codes, dict } = this.text.get(STORED_TEXT_COLUMNS[slot] as TextColumn)!
      if ((locals[slot]?.length ?? 0) < dict.values.length) {
        locals[slot] = new Int32Array(dict.values.length)
        stamps[slot] = new Int32Array(dict.values.length)
      }
      if (sharedOf !== c) {
        this.pool.chunks[sharedOf]?.shared?.ids.forEach((id) => (sharedLocal[id] = -1))
        sharedOf = c
        const shared = this.pool.chunks[c]!.shared
        shared?.ids.forEach((id, k) => (sharedLocal[id] = shared.locals[k]!))
      }
      const local = locals[slot]!
      const stamp = stamps[slot]!
      const { firstRow, count } = this.chunks[c]!
      const first = this.pool.chunks[c]!.first
      const column = codes.data.subarray(firstRow, firstRow + count)
      const out = new Int32Array(count)
      for (let i = 0; i < count; i++) {
        const code = column[i]!
        if (stamp[code] !== c + 1) {
          const value = dict.values[code]!
          // Most such values are shared; the others are in the chunk's pool (never dropped as
          // a covered text: json-cover.ts keeps every searched column's values, and these are).
          const id = this.pool.shared.idOf(value)
          const found =
            id >= 0 && sharedLocal[id]! >= 0 ? first + sharedLocal[id]! : this.pool.find(c, value)
          if (found < 0) {
            throw new Error(
              `chunk ${c} has no pool value for row ${firstRow + i}'s ${STORED_TEXT_COLUMNS[slot]}`
            )
          }
          local[code] = found - first
          stamp[code] = c + 1
        }
        out[i] = local[code]!
      }
      return out
    }
  }

  /**
   * Sets 1 in `mask` for the rows whose value of a dictionary-coded text column contains the
   * (lower-cased) needle: each dictionary is searched, then its codes read.
   */
  markCodedRows(needle: string, mask: Uint8Array): void {
    const size = this.size
    for (const [column, { codes, dict }] of this.text) {
      let searched = this.searchedDicts.get(column)
      if (!searched) {
        searched = new SearchedValues()
        this.searchedDicts.set(column, searched)
      }
      markRowsOf(searched.hits(dict.values, needle), codes.data, size, mask)
    }
  }

  /** Chunk `c`'s value rows if they are made, else null (the quick search then reads its rows). */
  madeValueRows(c: number): ValueRows | null {
    return this.valueRows[c] ?? null
  }

  /**
   * Makes what the quick search reads of up to `chunks` chunks that lack it (trigram filters,
   * value rows), in load order; true once every chunk has it.
   */
  prepareSearch(chunks: number, slots: readonly number[]): boolean {
    for (
      let c = this.searchReady;
      c < Math.min(this.chunks.length, this.searchReady + chunks);
      c++
    ) {
      const loaded = this.chunks[c]!
      const poolSize = this.pool.chunks[c]!.starts.length - 1
      const { firstRow, count, pairStart, pairValue } = loaded
      const times = this.times
      // The pool's one-byte text encoded once, for the JSON cover and the filter to read (and
      // the pool's copy without the values it drops to be made from), when it is ASCII.
      const poolChunk = this.pool.chunks[c]!
      const ascii = asciiBytes(poolChunk.text)
      this.pool.prepareSearch(
        c,
        jsonCover(loaded, poolChunk, slots, ascii),
        sharedCodes(loaded, poolSize),
        {
          pairStart,
          pairValue,
          // (The time column's array is replaced as it grows: a view of it as it is now.)
          of: () => times.data.subarray(firstRow, firstRow + count)
        },
        ascii
      )
      if (!('codes' in loaded.recordType)) {
        loaded.recordType = numberColumn(loaded.recordType)
      }
      if (!('codes' in loaded.userType)) {
        loaded.userType = numberColumn(loaded.userType)
      }
      // Each array a prepared chunk replaces is given back now (shared/free-now.ts): the
      // chunk's own, decoded from its stored bytes, which nothing else in the worker views.
      if (loaded.pairKey) {
        const pairKey = loaded.pairKey
        loaded.shapes = pairShapes(loaded.pairStart, pairKey, loaded.count)
        if (loaded.shapes) {
          loaded.pairKey = null
          freeNow(pairKey)
        }
      }
      this.valueRows[c] ??= valueRows(
        loaded,
        poolSize,
        valueRowSlots(slots),
        dictionarySlots(slots)
      )
      const repeated = pairSources(
        loaded,
        STORED_TEXT_COLUMNS.length,
        (slot) => PREPARED_SLOT_AT[slot]! >= 0
      )
      if (repeated) {
        loaded.sources = repeated.sources
        loaded.pairStart = repeated.pairStart
        loaded.pairValue = repeated.pairValue
        freeNow(pairStart, pairValue)
      }
      if (!loaded.slotAt) {
        const slotAt = preparedSlotAt(
          loaded,
          STORED_TEXT_COLUMNS.length,
          (slot) => PREPARED_SLOT_AT[slot]! < 0
        )
        const codes = loaded.codes
        loaded.codes = keptCodes(loaded, slotAt)
        loaded.slotAt = slotAt
        freeNow(codes)
      }
    }
    this.searchReady = Math.min(this.chunks.length, this.searchReady + chunks)
    return this.searchReady === this.chunks.length
  }

  /** How many chunks (from the first) have their search filters and value rows. */
  get searchPrepared(): number {
    return this.searchReady
  }

  /** Approximate bytes held in typed arrays (the pool's strings are not counted). */
  typedBytes(): number {
    let bytes = this.times.data.byteLength
    for (const rows of this.valueRows) {
      bytes += rows ? valueRowsBytes(rows) : 0
    }
    for (const [, data] of this.text) {
      bytes += data.codes.data.byteLength
    }
    for (const chunk of this.chunks) {
      bytes +=
        chunk.codes.byteLength +
        numberBytes(chunk.recordType) +
        numberBytes(chunk.userType) +
        chunk.flags.byteLength +
        chunk.pairStart.byteLength +
        (chunk.pairKey?.byteLength ?? 0) +
        (chunk.shapes ? shapesBytes(chunk.shapes) : 0) +
        chunk.pairValue.byteLength
    }
    for (const codes of this.fieldColumns.values()) {
      bytes += codes.byteLength
    }
    return bytes
  }
}

/** The own codes (ascending) a chunk's {@link SHARED_SLOTS} use, of its `poolSize` values. */
function sharedCodes(chunk: LoadedChunk, poolSize: number): Uint32Array {
  const used = scratchUint8('column-store.sharedCodes', poolSize, 0)
  const { codes, count } = chunk
  let n = 0
  for (const slot of SHARED_SLOTS) {
    for (let i = slot * count; i < (slot + 1) * count; i++) {
      const code = codes[i]!
      n += 1 - used[code]!
      used[code] = 1
    }
  }
  const found = new Uint32Array(n)
  for (let code = 0, k = 0; k < n; code++) {
    if (used[code] === 1) {
      found[k++] = code
    }
  }
  return found
}
