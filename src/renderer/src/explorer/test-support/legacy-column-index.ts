/**
 * The columnar index as it was before the chunked cache (issue 11), built from record objects,
 * kept unchanged as the oracle of the differential test (query-differential.test.ts): the new
 * index, loaded from persisted column chunks, must answer every query exactly as this one does.
 * Nothing in the app imports it.
 *
 * The Explorer's in-memory columnar index: what lets one million cached records be filtered,
 * sorted and counted in milliseconds without holding them as JavaScript objects.
 *
 * - the event time is a Float64Array;
 * - each core text column is a Uint32Array of codes into a dictionary (its own for low-cardinality
 *   columns such as activity or user; the shared global dictionary for ids);
 * - every flattened field of every record is a (field key, value code) pair in two Uint32Arrays
 *   (`pairKey`, `pairValue`) with per-row offsets, the values coded against the global dictionary;
 * - quick search lower-cases the global dictionary into a few large strings once, finds matching
 *   values with `indexOf` over them, then scans the rows' value codes.
 *
 * Pure: no Dexie, no DOM. The query engine feeds it rows; the worker owns one.
 */
import {
  DATE_COLUMN,
  FACET_COLUMNS,
  FIELD_PREFIX,
  HIGH_CARDINALITY_COLUMNS,
  TAGS_COLUMN,
  TEXT_COLUMNS,
  type ColumnFilter,
  type ExplorerQuery,
  type FacetColumn,
  type FacetValue,
  type FieldKeyInfo,
  type Histogram,
  type TextColumn,
  type TextCondition
} from '../query-types'

/** The part of a record the index reads (a NormalizedRecord satisfies it). */
export interface IndexableRecord {
  id: string
  createdAtMs: number
  clientIp: string
  userId: string
  activity: string
  category: string
  environment: string
  action: string
  resource: string
  connector: string
  userTypeLabel: string
  operation: string
  recordTypeName: string
  workload: string
  organizationId: string
  objectId: string
  resultStatus: string
  fields: Record<string, string>
}

/** The row's value for the "Item" column: the resource acted on, else the object id. */
export function itemOf(record: Pick<IndexableRecord, 'resource' | 'objectId'>): string {
  return record.resource !== '' ? record.resource : record.objectId
}

function textOf(record: IndexableRecord, column: TextColumn): string {
  return column === 'item' ? itemOf(record) : record[column]
}

const MISSING = 0xffffffff
const FACET_LIMIT = 100
const HISTOGRAM_BUCKETS = 80
const SEARCH_CHUNK_VALUES = 65536
const NICE_STEPS = [
  1000,
  60_000,
  5 * 60_000,
  15 * 60_000,
  3_600_000,
  3 * 3_600_000,
  6 * 3_600_000,
  12 * 3_600_000,
  86_400_000,
  7 * 86_400_000,
  30 * 86_400_000
]

class GrowableU32 {
  data: Uint32Array
  length = 0
  constructor(capacity = 1024) {
    this.data = new Uint32Array(capacity)
  }
  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Uint32Array(this.data.length * 2)
      next.set(this.data)
      this.data = next
    }
    this.data[this.length++] = value
  }
  view(): Uint32Array {
    return this.data.subarray(0, this.length)
  }
}

class GrowableF64 {
  data: Float64Array
  length = 0
  constructor(capacity = 1024) {
    this.data = new Float64Array(capacity)
  }
  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2)
      next.set(this.data)
      this.data = next
    }
    this.data[this.length++] = value
  }
}

/** A string dictionary: value → code, code → value. */
export class Dictionary {
  readonly codes = new Map<string, number>()
  readonly values: string[] = []
  code(value: string): number {
    let code = this.codes.get(value)
    if (code === undefined) {
      code = this.values.length
      this.values.push(value)
      this.codes.set(value, code)
    }
    return code
  }
}

/** The global dictionary plus its lower-cased search text, sealed in large chunks. */
class SearchDictionary extends Dictionary {
  private readonly sealed: { text: string; starts: Uint32Array; firstCode: number }[] = []
  private sealedUpTo = 0

  /** Marks (1) every code whose value contains `needle` (already lower-cased). */
  mark(needle: string): Uint8Array {
    const marks = new Uint8Array(this.values.length)
    this.seal()
    for (const chunk of this.sealed) {
      let from = 0
      for (;;) {
        const at = chunk.text.indexOf(needle, from)
        if (at < 0) {
          break
        }
        const local = upperBound(chunk.starts, at) - 1
        marks[chunk.firstCode + local] = 1
        // Continue after this value: a value is marked once.
        from = local + 1 < chunk.starts.length ? chunk.starts[local + 1]! : chunk.text.length
      }
    }
    for (let code = this.sealedUpTo; code < this.values.length; code++) {
      if (this.values[code]!.toLowerCase().includes(needle)) {
        marks[code] = 1
      }
    }
    return marks
  }

  private seal(): void {
    while (this.values.length - this.sealedUpTo >= SEARCH_CHUNK_VALUES) {
      const first = this.sealedUpTo
      const parts = this.values.slice(first, first + SEARCH_CHUNK_VALUES)
      const starts = new Uint32Array(parts.length)
      let offset = 0
      const lowered = parts.map((value, i) => {
        starts[i] = offset
        // A newline separates values, so a match never spans two of them.
        const low = value.toLowerCase().replace(/\n/g, ' ')
        offset += low.length + 1
        return low
      })
      this.sealed.push({ text: lowered.join('\n'), starts, firstCode: first })
      this.sealedUpTo = first + parts.length
    }
  }
}

function upperBound(sorted: Uint32Array, value: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid]! <= value) {
      lo = mid + 1
    } else {
      hi = mid
    }
  }
  return lo
}

interface TextColumnData {
  codes: GrowableU32
  dict: Dictionary
}

/** A column as codes into a dictionary, for filters and sorting. */
interface CodedColumn {
  codes: Uint32Array
  values: readonly string[]
}

interface FilterResult {
  key: string
  mask: Uint8Array
  total: number
  facets: Record<FacetColumn, FacetValue[]>
  histogram: Histogram
}

/** The answer to one query, kept by the engine to serve row pages. */
export interface QueryResult {
  /** Matching row indices in display order. */
  rows: Uint32Array
  facets: Record<FacetColumn, FacetValue[]>
  histogram: Histogram
}

function conditionMatches(condition: TextCondition, value: string): boolean {
  const needle = (condition.filter ?? '').toLowerCase()
  const hay = value.toLowerCase()
  switch (condition.type) {
    case 'contains':
      return hay.includes(needle)
    case 'notContains':
      return !hay.includes(needle)
    case 'equals':
      return hay === needle
    case 'notEqual':
      return hay !== needle
    case 'startsWith':
      return hay.startsWith(needle)
    case 'endsWith':
      return hay.endsWith(needle)
    case 'blank':
      return value.trim() === ''
    case 'notBlank':
      return value.trim() !== ''
    default:
      return true
  }
}

/** True when a value passes one column's filter (ag-grid text filter semantics, case-insensitive). */
export function filterMatches(filter: ColumnFilter, value: string): boolean {
  if ('conditions' in filter) {
    return filter.operator === 'OR'
      ? filter.conditions.some((c) => conditionMatches(c, value))
      : filter.conditions.every((c) => conditionMatches(c, value))
  }
  return conditionMatches(filter, value)
}

/** The columnar index. Rows are numbered 0…size-1 in the order they were appended. */
export class ColumnIndex {
  private readonly times = new GrowableF64()
  private readonly text = new Map<TextColumn, TextColumnData>()
  readonly global = new SearchDictionary()
  private readonly fieldKeys = new Dictionary()
  private fieldKeyCounts = new GrowableU32()
  private readonly rowStart = new GrowableU32()
  private readonly pairKey = new GrowableU32()
  private readonly pairValue = new GrowableU32()
  private readonly rowTags = new Map<number, string[]>()
  private readonly tagIndex = new Map<string, Set<number>>()
  private timeOrder = new Uint32Array(0)
  private readonly permutations = new Map<string, Uint32Array>()
  private readonly fieldColumns = new Map<string, Uint32Array>()
  private readonly maskCache = new Map<string, Uint8Array>()
  private lastFilter: FilterResult | null = null

  constructor() {
    for (const column of TEXT_COLUMNS) {
      this.text.set(column, {
        codes: new GrowableU32(),
        dict: HIGH_CARDINALITY_COLUMNS.has(column) ? this.global : new Dictionary()
      })
    }
    this.rowStart.push(0)
  }

  /** How many rows are indexed. */
  get size(): number {
    return this.times.length
  }

  /** Appends records as new rows; caches that depend on the row set are updated or dropped. */
  append(records: readonly IndexableRecord[]): void {
    if (records.length === 0) {
      return
    }
    const first = this.size
    for (const record of records) {
      this.times.push(record.createdAtMs)
      for (const key in record.fields) {
        const value = record.fields[key]!
        const keyCode = this.fieldKeys.code(key)
        if (keyCode >= this.fieldKeyCounts.length) {
          this.fieldKeyCounts.push(0)
        }
        this.fieldKeyCounts.data[keyCode]!++
        this.pairKey.push(keyCode)
        this.pairValue.push(this.global.code(value))
      }
      this.rowStart.push(this.pairKey.length)
      for (const [column, data] of this.text) {
        data.codes.push(data.dict.code(textOf(record, column)))
      }
    }
    this.mergeTimeOrder(first)
    this.permutations.clear()
    this.fieldColumns.clear()
    this.maskCache.clear()
    this.lastFilter = null
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
    const data = this.text.get('id')!
    return data.dict.values[data.codes.data[row]!]!
  }

  /** Row indices of the given record Ids (one scan of the id column). */
  rowsOfIds(ids: Iterable<string>): Map<string, number> {
    const wanted = new Map<number, string>()
    for (const id of ids) {
      const code = this.global.codes.get(id)
      if (code !== undefined) {
        wanted.set(code, id)
      }
    }
    const found = new Map<string, number>()
    const codes = this.text.get('id')!.codes.data
    for (let row = 0; row < this.size && found.size < wanted.size; row++) {
      const id = wanted.get(codes[row]!)
      if (id !== undefined) {
        found.set(id, row)
      }
    }
    return found
  }

  /** The value of a column for a row (used by tests and exports of index-only columns). */
  valueOf(row: number, colId: string): string {
    if (colId === DATE_COLUMN) {
      return new Date(this.times.data[row]!).toISOString()
    }
    if (colId === TAGS_COLUMN) {
      return this.tagsOf(row).join(', ')
    }
    const column = this.coded(colId)
    if (!column) {
      return ''
    }
    const code = column.codes[row]!
    return code === MISSING ? '' : column.values[code]!
  }

  /** Every flattened field key seen, most common first. */
  fieldKeyInfo(): FieldKeyInfo[] {
    return this.fieldKeys.values
      .map((key, code) => ({ key, count: this.fieldKeyCounts.data[code]! }))
      .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
  }

  /** Filters, sorts, counts facets and draws the histogram for a query. */
  run(query: ExplorerQuery): QueryResult {
    const filtered = this.filter(query)
    const spec = query.sort[0] ?? { colId: DATE_COLUMN, sort: 'desc' }
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
   * The rows a query keeps (a mask), its facet counts and histogram: everything but the order,
   * computed in one sequential pass over the columns and cached, so a sort change only re-orders.
   */
  private filter(query: ExplorerQuery): FilterResult {
    const key = JSON.stringify({ ...query, sort: null })
    if (this.lastFilter && this.lastFilter.key === key) {
      return this.lastFilter
    }
    const n = this.size
    const times = this.times.data
    const from = query.fromMs ?? -Infinity
    const to = query.toMs ?? Infinity
    const masks: Uint8Array[] = []
    for (const [colId, filter] of Object.entries(query.columnFilters)) {
      masks.push(this.columnMask(colId, filter))
    }
    const search = query.quickSearch.trim().toLowerCase()
    if (search !== '') {
      masks.push(this.searchMask(search))
    }
    if (query.tags.length > 0) {
      const tagged = new Uint8Array(n)
      for (const tag of query.tags) {
        this.tagIndex.get(tag)?.forEach((row) => (tagged[row] = 1))
      }
      masks.push(tagged)
    }
    let base: Uint8Array | null = null
    if (masks.length === 1) {
      base = masks[0]!
    } else if (masks.length > 1) {
      base = new Uint8Array(masks[0]!)
      for (let m = 1; m < masks.length; m++) {
        const other = masks[m]!
        for (let row = 0; row < n; row++) {
          base[row]! &= other[row]!
        }
      }
    }

    // Facets: a row failing exactly one facet's selection still counts for that facet, so its
    // other values stay selectable (counts "as if this facet were not set").
    const facetCount = FACET_COLUMNS.length
    const facetCodes: Uint32Array[] = []
    const facetCounts: Uint32Array[] = []
    const active: number[] = []
    const allowed: Uint8Array[] = []
    FACET_COLUMNS.forEach((column, f) => {
      const data = this.text.get(column)!
      facetCodes.push(data.codes.data)
      facetCounts.push(new Uint32Array(data.dict.values.length))
      const selected = query.facets[column]
      const mark = new Uint8Array(data.dict.values.length)
      if (selected && selected.length > 0) {
        for (const value of selected) {
          const code = data.dict.codes.get(value)
          if (code !== undefined) {
            mark[code] = 1
          }
        }
        active.push(f)
      }
      allowed.push(mark)
    })

    const mask = new Uint8Array(n)
    let total = 0
    let min = Infinity
    let max = -Infinity
    for (let row = 0; row < n; row++) {
      const t = times[row]!
      if (t < from || t >= to || (base !== null && base[row] === 0)) {
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
        for (let f = 0; f < facetCount; f++) {
          facetCounts[f]![facetCodes[f]![row]!]!++
        }
        mask[row] = 1
        total++
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
    const facets = {} as Record<FacetColumn, FacetValue[]>
    FACET_COLUMNS.forEach((column, f) => {
      facets[column] = this.facetList(column, facetCounts[f]!, query.facets[column] ?? [])
    })
    const histogram = this.histogram(
      mask,
      query.fromMs ?? (total > 0 ? min : null),
      query.toMs ?? (total > 0 ? max + 1 : null)
    )
    this.lastFilter = { key, mask, total, facets, histogram }
    return this.lastFilter
  }

  private facetList(column: FacetColumn, counts: Uint32Array, selected: string[]): FacetValue[] {
    const values = this.text.get(column)!.dict.values
    const list: FacetValue[] = []
    for (let code = 0; code < counts.length; code++) {
      if (counts[code]! > 0) {
        list.push({ value: values[code]!, count: counts[code]! })
      }
    }
    list.sort((a, b) => b.count - a.count || a.value.localeCompare(b.value))
    const top = list.slice(0, FACET_LIMIT)
    for (const value of selected) {
      if (!top.some((entry) => entry.value === value)) {
        top.push({ value, count: list.find((entry) => entry.value === value)?.count ?? 0 })
      }
    }
    return top
  }

  private histogram(mask: Uint8Array, min: number | null, max: number | null): Histogram {
    if (min === null || max === null || max <= min) {
      return { startMs: min ?? 0, bucketMs: 3_600_000, counts: [] }
    }
    const times = this.times.data
    const span = max - min
    const bucketMs =
      NICE_STEPS.find((step) => span / step <= HISTOGRAM_BUCKETS) ??
      Math.ceil(span / HISTOGRAM_BUCKETS)
    const startMs = Math.floor(min / bucketMs) * bucketMs
    const buckets = Math.max(1, Math.ceil((max - startMs) / bucketMs))
    const counts = new Array<number>(buckets).fill(0)
    for (let row = 0; row < mask.length; row++) {
      if (mask[row] === 1) {
        const b = Math.floor((times[row]! - startMs) / bucketMs)
        if (b >= 0 && b < buckets) {
          counts[b]!++
        }
      }
    }
    return { startMs, bucketMs, counts }
  }

  /** Row indices sorted ascending by a column (stable: ties keep row order). Cached. */
  permutation(colId: string): Uint32Array {
    if (colId === DATE_COLUMN || colId === TAGS_COLUMN) {
      return colId === DATE_COLUMN ? this.timeOrder : this.tagPermutation()
    }
    const cached = this.permutations.get(colId)
    if (cached) {
      return cached
    }
    const column = this.coded(colId)
    if (!column) {
      return this.timeOrder
    }
    const n = this.size
    // Rank the codes in use by their text, then a counting sort by rank: O(n + d log d).
    const used = new Uint8Array(column.values.length + 1)
    for (let row = 0; row < n; row++) {
      const code = column.codes[row]!
      used[code === MISSING ? column.values.length : code] = 1
    }
    const distinct: number[] = []
    for (let code = 0; code < column.values.length; code++) {
      if (used[code]) {
        distinct.push(code)
      }
    }
    // Natural order for human-sized value lists; plain code-unit order (much faster) for huge
    // ones such as ids or IP addresses.
    const values = column.values
    if (distinct.length <= 50_000) {
      const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })
      distinct.sort((a, b) => collator.compare(values[a]!, values[b]!))
    } else {
      distinct.sort((a, b) => (values[a]! < values[b]! ? -1 : values[a]! > values[b]! ? 1 : 0))
    }
    const rank = new Uint32Array(column.values.length + 1)
    // Missing values sort first, like empty text.
    distinct.forEach((code, i) => (rank[code] = i + 1))
    const buckets = new Uint32Array(distinct.length + 2)
    for (let row = 0; row < n; row++) {
      const code = column.codes[row]!
      buckets[(code === MISSING ? 0 : rank[code]!) + 1]!++
    }
    for (let i = 1; i < buckets.length; i++) {
      buckets[i]! += buckets[i - 1]!
    }
    const perm = new Uint32Array(n)
    for (let row = 0; row < n; row++) {
      const code = column.codes[row]!
      perm[buckets[code === MISSING ? 0 : rank[code]!]!++] = row
    }
    this.permutations.set(colId, perm)
    return perm
  }

  private tagPermutation(): Uint32Array {
    const rows = Array.from({ length: this.size }, (_, i) => i)
    rows.sort((a, b) => this.valueOf(a, TAGS_COLUMN).localeCompare(this.valueOf(b, TAGS_COLUMN)))
    return Uint32Array.from(rows)
  }

  /** Keeps the time order current by merging the new rows (sorted) into it: O(n). */
  private mergeTimeOrder(first: number): void {
    const times = this.times.data
    const added = new Uint32Array(this.size - first)
    for (let i = 0; i < added.length; i++) {
      added[i] = first + i
    }
    added.sort((a, b) => times[a]! - times[b]! || a - b)
    const old = this.timeOrder
    const merged = new Uint32Array(old.length + added.length)
    let i = 0
    let j = 0
    let k = 0
    while (i < old.length && j < added.length) {
      // On equal times the older row (smaller index) comes first, as in a stable sort.
      if (times[old[i]!]! <= times[added[j]!]!) {
        merged[k++] = old[i++]!
      } else {
        merged[k++] = added[j++]!
      }
    }
    while (i < old.length) {
      merged[k++] = old[i++]!
    }
    while (j < added.length) {
      merged[k++] = added[j++]!
    }
    this.timeOrder = merged
  }

  /** A column as codes + dictionary values: core text columns, or flattened fields (`f:key`). */
  private coded(colId: string): CodedColumn | null {
    const data = this.text.get(colId as TextColumn)
    if (data) {
      return { codes: data.codes.data, values: data.dict.values }
    }
    if (!colId.startsWith(FIELD_PREFIX)) {
      return null
    }
    const key = this.fieldKeys.codes.get(colId.slice(FIELD_PREFIX.length))
    let codes = this.fieldColumns.get(colId)
    if (!codes) {
      codes = new Uint32Array(this.size).fill(MISSING)
      if (key !== undefined) {
        const starts = this.rowStart.data
        const keys = this.pairKey.data
        const values = this.pairValue.data
        for (let row = 0; row < this.size; row++) {
          for (let p = starts[row]!; p < starts[row + 1]!; p++) {
            if (keys[p] === key) {
              codes[row] = values[p]!
              break
            }
          }
        }
      }
      this.fieldColumns.set(colId, codes)
    }
    return { codes, values: this.global.values }
  }

  /** 1 for rows passing one column filter. Cached per column and filter. */
  private columnMask(colId: string, filter: ColumnFilter): Uint8Array {
    const cacheKey = `c\u0000${colId}\u0000${JSON.stringify(filter)}`
    const cached = this.maskCache.get(cacheKey)
    if (cached) {
      return cached
    }
    const n = this.size
    const mask = new Uint8Array(n)
    if (colId === DATE_COLUMN || colId === TAGS_COLUMN) {
      for (let row = 0; row < n; row++) {
        mask[row] = filterMatches(filter, this.valueOf(row, colId)) ? 1 : 0
      }
    } else {
      const column = this.coded(colId)
      // 0 = not decided yet, 1 = passes, 2 = fails; one decision per distinct value.
      const memo = new Uint8Array(column ? column.values.length : 0)
      const missing = filterMatches(filter, '') ? 1 : 0
      for (let row = 0; row < n; row++) {
        const code = column ? column.codes[row]! : MISSING
        if (code === MISSING) {
          mask[row] = missing
          continue
        }
        let decided = memo[code]!
        if (decided === 0) {
          decided = filterMatches(filter, column!.values[code]!) ? 1 : 2
          memo[code] = decided
        }
        mask[row] = decided === 1 ? 1 : 0
      }
    }
    this.remember(cacheKey, mask)
    return mask
  }

  /** 1 for rows where any field value (or core column value) contains the needle. */
  private searchMask(needle: string): Uint8Array {
    const cacheKey = `s\u0000${needle}`
    const cached = this.maskCache.get(cacheKey)
    if (cached) {
      return cached
    }
    const n = this.size
    const mask = new Uint8Array(n)
    const globalMarks = this.global.mark(needle)
    const starts = this.rowStart.data
    const values = this.pairValue.data
    for (let row = 0; row < n; row++) {
      for (let p = starts[row]!; p < starts[row + 1]!; p++) {
        if (globalMarks[values[p]!] === 1) {
          mask[row] = 1
          break
        }
      }
    }
    // Derived columns (friendly activity, category, user type label…) are not in `fields`.
    for (const [, data] of this.text) {
      if (data.dict === this.global) {
        const codes = data.codes.data
        for (let row = 0; row < n; row++) {
          if (globalMarks[codes[row]!] === 1) {
            mask[row] = 1
          }
        }
        continue
      }
      const marks = data.dict.values.map((v) => v.toLowerCase().includes(needle))
      if (!marks.some(Boolean)) {
        continue
      }
      const codes = data.codes.data
      for (let row = 0; row < n; row++) {
        if (marks[codes[row]!]) {
          mask[row] = 1
        }
      }
    }
    for (const [tag, rows] of this.tagIndex) {
      if (tag.toLowerCase().includes(needle)) {
        rows.forEach((row) => (mask[row] = 1))
      }
    }
    this.remember(cacheKey, mask)
    return mask
  }

  private remember(key: string, mask: Uint8Array): void {
    // A few masks: enough for facet and sort changes around one filter, bounded in memory.
    if (this.maskCache.size >= 8) {
      const oldest = this.maskCache.keys().next().value
      if (oldest !== undefined) {
        this.maskCache.delete(oldest)
      }
    }
    this.maskCache.set(key, mask)
  }

  /** Drops cached masks that depend on tags (after annotations change). */
  forgetTagMasks(): void {
    this.lastFilter = null
    for (const key of [...this.maskCache.keys()]) {
      if (key.startsWith('s\u0000') || key.includes(`\u0000${TAGS_COLUMN}\u0000`)) {
        this.maskCache.delete(key)
      }
    }
  }

  /** Approximate bytes held in typed arrays (the dictionaries' strings are not counted). */
  typedBytes(): number {
    let bytes =
      this.times.data.byteLength +
      this.rowStart.data.byteLength +
      this.pairKey.data.byteLength +
      this.pairValue.data.byteLength +
      this.timeOrder.byteLength
    for (const [, data] of this.text) {
      bytes += data.codes.data.byteLength
    }
    return bytes
  }
}
