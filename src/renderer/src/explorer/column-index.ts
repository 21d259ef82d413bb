/**
 * The Explorer's in-memory columnar index: what lets one million cached records be filtered,
 * sorted, searched and counted in milliseconds without holding them as JavaScript objects.
 *
 * The rows live in a {@link ColumnStore} (column-store.ts: typed arrays straight from the cache's
 * column chunks); this class answers queries over them — masks per filter, quick search over the
 * pools (search-mask.ts), facets and histogram in one pass, orders (time order kept lazily,
 * counting sorts by rank) and stacks — and caches what a change of sort or facet reuses.
 *
 * Pure: no Dexie, no DOM. The query engine feeds it chunks; the worker owns one.
 */
import { LRUCache } from 'lru-cache'

import { COLUMN_SLOT, encodeChunk, type ColumnChunk } from '../db/record-chunk'
import type { NormalizedRecord } from '../../../shared/audit'

import type { StackSort } from '../../../shared/explorer'

import {
  columnRanks,
  orderByKeys,
  rowsByRank,
  textRanks,
  timeRanks,
  type RankedColumn
} from './column-ranks'
import { MISSING, type CodedColumn } from './column-sort'
import { ColumnStore, KEPT_FIELD_COLUMNS, valueRowSlots } from './column-store'
import { explorerColumns } from './explorer-columns'
import { facetList } from './facet-list'
import type { CodeArray } from './growable'
import { histogramOf } from './histogram'
import { mergeTimeOrder } from './time-order'
import { itemOf } from './item-of'
import { bindSearch, searchNames } from './search-columns'
import { anyColumnMask, evaluateSearch } from './search-mask'
import { packMask, rowsOf, type RowBits } from './row-bits'
import { stackByRanks, type StackWindow } from './stack-counts'
import { parseDateBucketColumn, timeBucketRanks } from './date-buckets'
import { codedFilterMask, valueFilterMask } from './column-filter-mask'
import type { RowColumns } from './row-columns'
import {
  DATE_COLUMN,
  FACET_COLUMNS,
  FIELD_PREFIX,
  TAGS_COLUMN,
  TEXT_COLUMNS,
  type ColumnFilter,
  type ExplorerQuery,
  type FacetColumn,
  type FacetValue,
  type FieldKeyInfo,
  type Histogram,
  type GridRow,
  type StackAnswer
} from './query-types'
/** The part of a record the index reads (a NormalizedRecord satisfies it). */
export type IndexableRecord = NormalizedRecord

export { itemOf }

const FACET_LIMIT = 100
/**
 * Something made per column (ranks, a sort order: four bytes a row, 4 MB at a million rows),
 * kept for every core column (a fixed set, each costly to make again: ranking the client IPs
 * takes most of a second) but only for the last few flattened fields used: a cache may have
 * hundreds of field keys, and a long session sorting and stacking by them would otherwise keep
 * one of each for every field it ever touched.
 */
class PerColumn<V extends object> {
  private readonly core = new Map<string, V>()
  private readonly fields = new LRUCache<string, V>({ max: KEPT_FIELD_COLUMNS })

  private of(colId: string): Map<string, V> | LRUCache<string, V> {
    return colId.startsWith(FIELD_PREFIX) ? this.fields : this.core
  }

  get(colId: string): V | undefined {
    return this.of(colId).get(colId)
  }

  set(colId: string, value: V): void {
    this.of(colId).set(colId, value)
  }

  delete(colId: string): void {
    this.of(colId).delete(colId)
  }

  clear(): void {
    this.core.clear()
    this.fields.clear()
  }

  values(): V[] {
    return [...this.core.values(), ...this.fields.values()]
  }
}

/** Where the quick search looks besides the flattened fields: every core text column's slot. */
const SEARCHED_SLOTS = TEXT_COLUMNS.map((column) => COLUMN_SLOT[column])
/** …of which these are read through the chunks' value rows (the others through dictionaries). */
const VALUE_ROW_SLOTS = valueRowSlots(SEARCHED_SLOTS)

/**
 * What a query's filter keeps. Its mask and rows live in buffers the index reuses for the next
 * filter (at five million rows a filter would otherwise leave 5 + 20 MB of garbage behind):
 * valid until the next {@link ColumnIndex.filter} that is not answered from the cache.
 */
interface FilterResult {
  key: string
  mask: Uint8Array
  /** The rows kept (those marked in `mask`), in row order. */
  rows: Uint32Array
  total: number
  facets: Record<FacetColumn, FacetValue[]>
  histogram: Histogram
}

/**
 * Whether a column's sorts read a kept permutation of every row: one of more than 65,535 values
 * (ranks of four bytes a row). The others are sorted by a counting sort of their ranks.
 */
function keepsPermutation(ranked: RankedColumn): boolean {
  return ranked.ranks instanceof Uint32Array
}

/** At most this many kept rows are sorted by time on their own (a power of two). */
const FEW_ROWS = 65_536
/** …and only while they are at most one row in this many. */
const FEW_ROWS_PER_ROW = 16

/** The answer to one query, kept by the engine to serve row pages. */
export interface QueryResult {
  /** Matching row indices in display order. */
  rows: Uint32Array
  facets: Record<FacetColumn, FacetValue[]>
  histogram: Histogram
}

/** The columnar index. Rows are numbered 0…size-1 in the order they were appended. */
export class ColumnIndex {
  private readonly store = new ColumnStore()
  /** Rows 0…timeOrdered-1 in time order; later rows are merged in when an order is needed. */
  private timeOrder: Uint32Array = new Uint32Array(0)
  private timeOrdered = 0
  /** Sort orders by column (see {@link PerColumn}). */
  private readonly permutations = new PerColumn<Uint32Array>()
  /** A few masks: enough for facet and sort changes around one filter. */
  private readonly maskCache = new LRUCache<string, RowBits>({ max: 8 })
  /** Masks of whole searches (quick search, colour rules) and ranks per column. */
  private readonly syntaxMasks = new Map<string, RowBits | null>()
  private readonly ranks = new PerColumn<RankedColumn>()
  private names: { keys: number; names: Map<string, string> } | null = null
  private lastFilter: FilterResult | null = null
  /** The rows the last filter keeps, in row order (reused: one row a slot). */
  private kept: Uint32Array = new Uint32Array(0)
  /** The last filter's mask (reused: a byte a row). */
  private keptMask: Uint8Array = new Uint8Array(0)

  /** How many rows are indexed. */
  get size(): number {
    return this.store.size
  }

  /** Makes room for `rows` rows at once (the cache's size is known before its chunks arrive). */
  reserve(rows: number): void {
    this.store.reserve(rows)
  }

  /** Appends records as new rows (encoded as a chunk first; tests and small appends). */
  append(records: readonly IndexableRecord[]): void {
    if (records.length > 0) {
      this.appendChunks([{ ...encodeChunk(records).columns, firstRow: this.size }])
    }
  }

  /**
   * Appends persisted column chunks, in row order, as new rows: typed-array copies plus one
   * dictionary look-up per distinct low-cardinality value of each chunk. Nothing is computed
   * over all rows here: orders, ranks and masks are made when a query needs them.
   */
  appendChunks(chunks: readonly ColumnChunk[]): void {
    if (chunks.length === 0) {
      return
    }
    for (const chunk of chunks) {
      this.store.appendChunk(chunk)
    }
    this.permutations.clear()
    this.maskCache.clear()
    this.syntaxMasks.clear()
    this.ranks.clear()
    this.lastFilter = null
  }

  /** The chunk number (in load order) and the position within it of a row. */
  chunkSlotOf(row: number): { n: number; slot: number } {
    return this.store.chunkSlotOf(row)
  }

  /**
   * A row as the grid shows it (everything but the raw text and warnings), with its tags; with
   * `want`, only those values (row-columns.ts).
   */
  gridRow(row: number, want?: RowColumns): GridRow {
    return this.store.gridRow(row, want)
  }

  /** Replaces the tags of rows (row index → tags); an empty list removes them. */
  setTags(entries: Iterable<readonly [number, readonly string[]]>): void {
    this.store.setTags(entries)
  }

  /** The tags of a row. */
  tagsOf(row: number): string[] {
    return this.store.tagsOf(row)
  }

  /** Every tag in use. */
  tags(): string[] {
    return this.store.tags()
  }

  /** The record Id of a row. */
  idOf(row: number): string {
    return this.store.idOf(row)
  }

  /** Row indices of the given record Ids. */
  rowsOfIds(ids: Iterable<string>): Map<string, number> {
    return this.store.rowsOfIds(ids)
  }

  /** The rows whose record Id is one of `ids`. */
  private idMask(ids: readonly string[]): RowBits {
    return rowsOf(this.size, this.rowsOfIds(ids).values())
  }

  /** The value of a column for a row (used by tests and exports of index-only columns). */
  valueOf(row: number, colId: string): string {
    if (colId === DATE_COLUMN) {
      return new Date(this.store.times.data[row]!).toISOString()
    }
    if (colId === TAGS_COLUMN) {
      return this.tagsOf(row).join(', ')
    }
    const column = this.coded(colId)
    if (!column) {
      return ''
    }
    const code = column.codes[row]!
    return code === MISSING ? '' : column.value(code)
  }

  /** Every flattened field key seen, most common first. */
  fieldKeyInfo(): FieldKeyInfo[] {
    return this.store.fieldKeyInfo()
  }

  /** Filters, sorts, counts facets and draws the histogram for a query. */
  run(query: ExplorerQuery): QueryResult {
    const filtered = this.filter(query)
    if (query.sort.length > 1) {
      return {
        rows: this.multiSorted(filtered, query),
        facets: filtered.facets,
        histogram: filtered.histogram
      }
    }
    const spec = query.sort[0] ?? { colId: DATE_COLUMN, sort: 'desc' }
    const byTime = spec.colId === DATE_COLUMN ? this.fewByTime(filtered.rows) : null
    if (byTime) {
      if (spec.sort === 'desc') {
        byTime.reverse()
      }
      return { rows: byTime, facets: filtered.facets, histogram: filtered.histogram }
    }
    const narrow = this.narrowRanks(spec.colId)
    if (narrow) {
      // A counting sort of the kept rows by rank, ties by row: O(kept + levels), and no
      // permutation of every row kept for the column (4 MB at 1M rows, 20 MB at 5M).
      const rows = orderByKeys(filtered.rows, [{ column: narrow, isDescending: false }])
      // Descending is ascending reversed, ties included, as when walking the permutation back.
      return {
        rows: spec.sort === 'desc' ? rows.reverse() : rows,
        facets: filtered.facets,
        histogram: filtered.histogram
      }
    }
    const perm = this.permutation(spec.colId)
    const mask = filtered.mask
    const rows = new Uint32Array(filtered.total)
    const n = perm.length
    let k = 0
    // Only the 1-byte mask is read in sort order, so the random access stays in cache.
    if (spec.sort === 'desc') {
      for (let i = n - 1; i >= 0; i--) {
        const row = perm[i]!
        if (mask[row] === 1) {
          rows[k++] = row
        }
      }
    } else {
      for (let i = 0; i < n; i++) {
        const row = perm[i]!
        if (mask[row] === 1) {
          rows[k++] = row
        }
      }
    }
    return { rows, facets: filtered.facets, histogram: filtered.histogram }
  }

  /**
   * A few kept rows (`rows`, in row order) in time order, ties by row as in the time order, by
   * one native sort of (time, place) packed in a double: cheaper than reading the whole time
   * order when a search keeps a few thousand rows of a million. Null when there are too many,
   * or their times cannot be packed exactly (not whole milliseconds, or spanning too long).
   */
  private fewByTime(rows: Uint32Array): Uint32Array | null {
    const count = rows.length
    if (count === 0 || count > FEW_ROWS || count * FEW_ROWS_PER_ROW > this.size) {
      return null
    }
    const times = this.store.times.data
    let min = Infinity
    let max = -Infinity
    for (let k = 0; k < count; k++) {
      const t = times[rows[k]!]!
      if (!Number.isInteger(t)) {
        return null
      }
      if (t < min) min = t
      if (t > max) max = t
    }
    if ((max - min + 1) * FEW_ROWS > Number.MAX_SAFE_INTEGER) {
      return null
    }
    const keys = new Float64Array(count)
    for (let k = 0; k < count; k++) {
      keys[k] = (times[rows[k]!]! - min) * FEW_ROWS + k
    }
    keys.sort()
    const sorted = new Uint32Array(count)
    for (let k = 0; k < count; k++) {
      sorted[k] = rows[keys[k]! % FEW_ROWS]!
    }
    return sorted
  }

  /**
   * The ranks of a column that sorts by them on each query rather than through a kept
   * permutation: those of at most 65,535 values (a byte or two a row), whose counting sort is
   * linear in the kept rows and stays in cache. Null for the others (an address, a field of
   * nearly one value a row: their order is kept), and for the time, or a column not coded.
   */
  private narrowRanks(colId: string): RankedColumn | null {
    if (colId === DATE_COLUMN || (colId !== TAGS_COLUMN && !this.coded(colId))) {
      return null
    }
    const ranked = this.ranksOf(colId)
    return keepsPermutation(ranked) ? null : ranked
  }

  /** The rows a filter keeps, ordered by every sort key (shift-click sorts in the grid). */
  private multiSorted(filtered: FilterResult, query: ExplorerQuery): Uint32Array {
    // (orderByKeys leaves the cached filter's rows as they are, in row order.)
    const rows = filtered.rows
    const keys = query.sort.map((s) => ({
      column: this.ranksOf(s.colId),
      isDescending: s.sort === 'desc'
    }))
    return orderByKeys(rows, keys)
  }

  /** Counts the rows a query shows by one or two columns (value, count, share). */
  stack(
    query: ExplorerQuery,
    colIds: readonly string[],
    sort: StackSort,
    limit: number,
    window: StackWindow = {}
  ): StackAnswer {
    const filtered = this.filter(query)
    return stackByRanks(
      filtered.rows,
      colIds.map((colId) => this.ranksOf(colId)),
      sort,
      limit,
      window
    )
  }

  /** A column as ranks (equal values share one; rank order is value order). Cached. */
  ranksOf(colId: string): RankedColumn {
    let ranked = this.ranks.get(colId)
    if (!ranked) {
      const dateBucket = parseDateBucketColumn(colId)
      if (colId === DATE_COLUMN) {
        ranked = timeRanks(this.store.times.data, this.timeOrderNow())
      } else if (dateBucket) {
        ranked = timeBucketRanks(
          this.store.times.data,
          this.timeOrderNow(),
          dateBucket.bucket,
          dateBucket.zone
        )
      } else if (colId === TAGS_COLUMN) {
        ranked = textRanks(this.size, (row) => this.valueOf(row, TAGS_COLUMN))
      } else {
        const column = this.coded(colId)
        ranked = column
          ? columnRanks(column, this.size)
          : { ranks: new Uint8Array(this.size), levels: 0, value: () => '' }
      }
      this.ranks.set(colId, ranked)
    }
    return ranked
  }

  /**
   * The rows a search in the quick-search syntax matches (null: an empty search). A search that
   * does not parse or names no column throws the reason. Cached.
   */
  syntaxMask(text: string): RowBits | null {
    const cached = this.syntaxMasks.get(text)
    if (cached !== undefined) {
      return cached
    }
    const keys = this.store.fieldKeys.values
    if (!this.names || this.names.keys !== keys.length) {
      this.names = { keys: keys.length, names: searchNames(explorerColumns(keys)) }
    }
    const bound = bindSearch(text, this.names.names)
    if (!bound.ok) {
      throw new Error(`search: ${bound.error.message} (at ${bound.error.position + 1})`)
    }
    const mask = evaluateSearch(bound.search, this.size, (colId, needle) =>
      colId === null
        ? this.searchMask(needle)
        : this.columnMask(colId, { type: 'contains', filter: needle })
    )
    if (this.syntaxMasks.size >= 16) {
      this.syntaxMasks.delete(this.syntaxMasks.keys().next().value!)
    }
    this.syntaxMasks.set(text, mask)
    return mask
  }

  /**
   * The rows a query keeps (a mask), its facet counts and histogram: everything but the order,
   * computed in one sequential pass over the columns and cached, so a sort change only re-orders.
   */
  private filter(query: ExplorerQuery): FilterResult {
    const key = JSON.stringify({ ...query, sort: null, colourRules: null })
    if (this.lastFilter && this.lastFilter.key === key) {
      return this.lastFilter
    }
    const n = this.size
    const times = this.store.times.data
    const from = query.fromMs ?? -Infinity
    const to = query.toMs ?? Infinity
    const masks: RowBits[] = []
    for (const [colId, filter] of Object.entries(query.columnFilters)) {
      masks.push(this.columnMask(colId, filter))
    }
    const searched = query.searchMode === 'highlight' ? null : this.syntaxMask(query.quickSearch)
    if (searched) {
      masks.push(searched)
    }
    if (query.recordIds !== undefined) {
      masks.push(this.idMask(query.recordIds))
    }
    if (query.tags.length > 0) {
      masks.push(
        rowsOf(
          n,
          query.tags.flatMap((tag) => [...(this.store.tagIndex.get(tag) ?? [])])
        )
      )
    }
    // The rows every mask keeps, a bit a row (a cached mask is read, never changed).
    let base: Uint32Array | null = null
    if (masks.length === 1) {
      base = masks[0]!.words
    } else if (masks.length > 1) {
      const all = masks[0]!.clone()
      for (let m = 1; m < masks.length; m++) {
        all.intersection(masks[m]!)
      }
      base = all.words
    }

    // Facets: a row failing exactly one facet's selection still counts for that facet, so its
    // other values stay selectable (counts "as if this facet were not set").
    const facetCount = FACET_COLUMNS.length
    const facetCodes: CodeArray[] = []
    const facetCounts: Uint32Array[] = []
    const active: number[] = []
    const allowed: Uint8Array[] = []
    FACET_COLUMNS.forEach((column, f) => {
      const data = this.store.text.get(column)!
      const dict = data.dict!
      facetCodes.push(data.codes.data)
      facetCounts.push(new Uint32Array(dict.values.length))
      const selected = query.facets[column]
      const mark = new Uint8Array(dict.values.length)
      if (selected && selected.length > 0) {
        for (const value of selected) {
          const code = dict.codes.get(value)
          if (code !== undefined) {
            mark[code] = 1
          }
        }
        active.push(f)
      }
      allowed.push(mark)
    })

    // The buffers of the filter before (lastFilter is replaced below, and nothing else holds it).
    this.lastFilter = null
    if (this.keptMask.length !== n) {
      this.keptMask = new Uint8Array(n)
    }
    const mask = this.keptMask.fill(0)
    if (this.kept.length < n) {
      this.kept = new Uint32Array(n)
    }
    const kept = this.kept
    let total = 0
    let min = Infinity
    let max = -Infinity
    for (let row = 0; row < n; row++) {
      // The mask first: a search keeping few rows reads a bit a row, not the time's eight bytes,
      // and skips 32 rows at once where it keeps none of them.
      if (base !== null) {
        const word = base[row >>> 5]!
        if (word === 0) {
          row |= 31
          continue
        }
        if (((word >>> (row & 31)) & 1) === 0) {
          continue
        }
      }
      const t = times[row]!
      if (t < from || t >= to) {
        continue
      }
      let failed = -1
      let failures = 0
      for (let a = 0; a < active.length; a++) {
        const f = active[a]!
        if (allowed[f]![facetCodes[f]![row]!] === 0) {
          failed = f
          if (++failures > 1) {
            break
          }
        }
      }
      if (failures === 0) {
        mask[row] = 1
        kept[total++] = row
        if (t < min) {
          min = t
        }
        if (t > max) {
          max = t
        }
      } else if (failures === 1) {
        facetCounts[failed]![facetCodes[failed]![row]!]!++
      }
    }
    const rows = kept.subarray(0, total)
    // The kept rows' facet counts, one column at a time: one typed array read in order per pass
    // instead of every facet's column per row (about a quarter faster at a million rows), and
    // only the kept rows' places in it (a search keeping a few rows reads a few).
    for (let f = 0; f < facetCount; f++) {
      const counts = facetCounts[f]!
      const codes = facetCodes[f]!
      for (let k = 0; k < rows.length; k++) {
        counts[codes[rows[k]!]!]!++
      }
    }
    const facets = {} as Record<FacetColumn, FacetValue[]>
    FACET_COLUMNS.forEach((column, f) => {
      facets[column] = this.facetList(column, facetCounts[f]!, query.facets[column] ?? [])
    })
    const histogram = this.histogram(
      rows,
      query.fromMs ?? (total > 0 ? min : null),
      query.toMs ?? (total > 0 ? max + 1 : null)
    )
    this.lastFilter = { key, mask, rows, total, facets, histogram }
    return this.lastFilter
  }

  private facetList(column: FacetColumn, counts: Uint32Array, selected: string[]): FacetValue[] {
    return facetList(this.store.text.get(column)!.dict!.values, counts, selected, FACET_LIMIT)
  }

  private histogram(rows: Uint32Array, min: number | null, max: number | null): Histogram {
    return histogramOf(this.store.times.data, rows, min, max)
  }

  /**
   * Row indices sorted ascending by a column (stable: ties keep row order). Kept for a column of
   * more than 65,535 values; made again when asked for the others (a counting sort of ranks).
   */
  permutation(colId: string): Uint32Array {
    if (colId === DATE_COLUMN) {
      return this.timeOrderNow()
    }
    const cached = this.permutations.get(colId)
    if (cached) {
      return cached
    }
    if (colId !== TAGS_COLUMN && !this.coded(colId)) {
      return this.timeOrderNow()
    }
    // A counting sort by rank: the ranks are shared with multi-column sorts and stacks.
    const ranked = this.ranksOf(colId)
    const perm = rowsByRank(ranked, this.size)
    // Kept only for a column whose queries read it ({@link narrowRanks}).
    if (keepsPermutation(ranked)) {
      this.permutations.set(colId, perm)
    }
    return perm
  }

  /**
   * Every row in time order: the rows appended since the last call are sorted and merged in
   * (O(n) per call), so loading many chunks between two queries merges once, not per chunk.
   */
  private timeOrderNow(): Uint32Array {
    if (this.timeOrdered < this.size) {
      this.timeOrder = mergeTimeOrder(
        this.store.times.data,
        this.timeOrder,
        this.timeOrdered,
        this.size
      )
      this.timeOrdered = this.size
    }
    return this.timeOrder
  }

  /** A column as codes: core text columns, or flattened fields (`f:key`, pool codes). */
  private coded(colId: string): CodedColumn | null {
    return this.store.coded(colId)
  }

  /** The rows passing one column filter. Cached per column and filter. */
  private columnMask(colId: string, filter: ColumnFilter): RowBits {
    const cacheKey = `c\u0000${colId}\u0000${JSON.stringify(filter)}`
    let mask = this.maskCache.get(cacheKey)
    if (!mask) {
      mask =
        colId === DATE_COLUMN || colId === TAGS_COLUMN
          ? valueFilterMask(this.size, filter, (row) => this.valueOf(row, colId))
          : codedFilterMask(this.size, filter, this.coded(colId), this.store.pool)
      this.maskCache.set(cacheKey, mask)
    }
    return mask
  }

  /** The rows where any field value (or core column value) contains the needle. */
  private searchMask(needle: string): RowBits {
    const cacheKey = `s\u0000${needle}`
    const cached = this.maskCache.get(cacheKey)
    if (cached) {
      return cached
    }
    const marked = this.store.pool.mark(needle, true)
    const mask = anyColumnMask(
      {
        size: this.size,
        marked,
        poolSize: this.store.pool.size,
        chunks: this.store.chunks,
        slots: VALUE_ROW_SLOTS,
        rowsOf: (c) => this.store.madeValueRows(c),
        tags: this.store.tagIndex
      },
      needle
    )
    this.store.markCodedRows(needle, mask)
    const rows = packMask(mask)
    this.maskCache.set(cacheKey, rows)
    return rows
  }

  /**
   * Makes what the quick search reads of up to `chunks` more chunks (trigram filters, value rows)
   * ahead of the first search; true once every chunk has it. The worker calls it while idle.
   */
  prepareSearch(chunks: number): boolean {
    return this.store.prepareSearch(chunks, SEARCHED_SLOTS)
  }

  /** How many chunks (from the first) {@link prepareSearch} has made ready. */
  searchPreparedChunks(): number {
    return this.store.searchPrepared
  }

  /** Drops cached masks that depend on tags (after annotations change). */
  forgetTagMasks(): void {
    this.lastFilter = null
    this.syntaxMasks.clear()
    this.ranks.delete(TAGS_COLUMN)
    this.permutations.delete(TAGS_COLUMN)
    for (const key of [...this.maskCache.keys()]) {
      if (key.startsWith('s\u0000') || key.includes(`\u0000${TAGS_COLUMN}\u0000`)) {
        this.maskCache.delete(key)
      }
    }
  }

  /** What the pools of values hold (global-pool.ts `bytes`). */
  poolBytes(): { text: number; offsets: number; shared: number } {
    return this.store.pool.bytes()
  }

  /** Approximate bytes held in typed arrays (the pool's strings are not counted). */
  typedBytes(): number {
    let bytes = this.store.typedBytes() + this.timeOrder.byteLength + this.store.pool.filterBytes()
    for (const ranked of this.ranks.values()) {
      bytes += ranked.ranks.byteLength
    }
    for (const perm of this.permutations.values()) {
      bytes += perm.byteLength
    }
    return bytes
  }
}
