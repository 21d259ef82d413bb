/**
 * The Explorer's query model and the typed messages between the UI and the query worker.
 */
import type { NormalizedRecord } from '../../../shared/audit'
import type { StoredColumns } from '../../../shared/cache/stored-chunk'
import type { StackEntry, StackSort } from '../../../shared/explorer'
import type { WorkerRpcMessage } from '../workers/worker-rpc-client'

/** Core text columns the index dictionary-encodes (their ids are NormalizedRecord-like names). */
export const TEXT_COLUMNS = [
  'clientIp',
  'userId',
  'activity',
  'category',
  'item',
  'environment',
  'action',
  'resource',
  'connector',
  'userTypeLabel',
  'operation',
  'recordTypeName',
  'workload',
  'id',
  'organizationId',
  'objectId',
  'resultStatus'
] as const

export type TextColumn = (typeof TEXT_COLUMNS)[number]

/** Columns whose every value tends to be unique: encoded against the shared global dictionary. */
export const HIGH_CARDINALITY_COLUMNS: ReadonlySet<TextColumn> = new Set<TextColumn>([
  'id',
  'objectId',
  'item',
  'resource'
])

/** Columns that can be used as facets (value lists with counts). */
export const FACET_COLUMNS = [
  'category',
  'activity',
  'userId',
  'environment',
  'connector',
  'userTypeLabel',
  'operation'
] as const satisfies readonly TextColumn[]

export type FacetColumn = (typeof FACET_COLUMNS)[number]

/** The column id of the event time. */
export const DATE_COLUMN = 'createdAt'
/** The column id of the record's tags (annotations). */
export const TAGS_COLUMN = 'tags'
/** Column ids of discovered flattened fields start with this prefix: `f:AdditionalInfo.ActionName`. */
export const FIELD_PREFIX = 'f:'

/** The column id for a flattened field key. */
export function fieldColumnId(key: string): string {
  return `${FIELD_PREFIX}${key}`
}

/** The operators of a per-column text filter (ag-grid's text filter, evaluated by the worker). */
export type TextFilterType =
  | 'contains'
  | 'notContains'
  | 'equals'
  | 'notEqual'
  | 'startsWith'
  | 'endsWith'
  | 'blank'
  | 'notBlank'

export interface TextCondition {
  filterType?: string
  type: TextFilterType
  filter?: string | null
}

export interface CombinedCondition {
  filterType?: string
  operator: 'AND' | 'OR'
  conditions: TextCondition[]
}

/** One column's filter, in ag-grid's filter-model shape. */
export type ColumnFilter = TextCondition | CombinedCondition

export interface SortSpec {
  colId: string
  sort: 'asc' | 'desc'
}

/** Everything that decides which rows the Explorer shows, and in which order. */
export interface ExplorerQuery {
  /** Inclusive lower bound, UTC epoch ms, or null. */
  fromMs: number | null
  /** Exclusive upper bound, UTC epoch ms, or null. */
  toMs: number | null
  /** Selected values per facet column (OR within a column, AND across columns). */
  facets: Partial<Record<FacetColumn, string[]>>
  /** Case-insensitive substring over every field value of the record. */
  quickSearch: string
  /** Per-column filters keyed by column id. */
  columnFilters: Record<string, ColumnFilter>
  /** Rows carrying any of these tags. */
  tags: string[]
  /**
   * Only the records with these Ids (a finding's or a resource's records); absent = no such
   * restriction. An empty list matches nothing.
   */
  recordIds?: string[]
  /** The first entry decides the order, the next ones break its ties; empty = newest first. */
  sort: SortSpec[]
  /** 'filter' (default): the quick search keeps matching rows; 'highlight': it marks them. */
  searchMode?: SearchMode
  /** Rows matching a rule's search take its colour (the first matching rule wins). */
  colourRules?: ColourRule[]
}

export type SearchMode = 'filter' | 'highlight'

/** The colours a colour rule can give rows (CSS classes `row-colour-<name>`). */
export const ROW_COLOURS = ['red', 'amber', 'green', 'blue', 'purple', 'grey'] as const
export type RowColour = (typeof ROW_COLOURS)[number]

/** A colour rule: rows matching the search (quick-search syntax) take the colour. */
export interface ColourRule {
  search: string
  colour: RowColour
}

/** A query that matches everything, newest first. */
export function emptyQuery(): ExplorerQuery {
  return {
    fromMs: null,
    toMs: null,
    facets: {},
    quickSearch: '',
    columnFilters: {},
    tags: [],
    sort: [{ colId: DATE_COLUMN, sort: 'desc' }]
  }
}

export interface FacetValue {
  value: string
  count: number
}

export interface Histogram {
  startMs: number
  bucketMs: number
  counts: number[]
}

/** What a query answers besides the rows themselves. */
export interface QuerySummary {
  /** Rows matching the query. */
  total: number
  /** Rows in the index. */
  indexed: number
  /** Counts per facet value, over the query without that facet's own selection. */
  facets: Record<FacetColumn, FacetValue[]>
  histogram: Histogram
  /** Time spent answering, in ms (for the status bar and the benchmark). */
  tookMs: number
  /** In highlight mode with a search: how many of the rows shown match it. */
  searchHits?: number
}

/** The marks of a grid row: search hit (highlight mode) and the colour of the first rule. */
export interface RowMarks {
  searchHit?: boolean
  colour?: RowColour
}

/** A stack of the rows a query shows, by one or two columns. */
export interface StackAnswer {
  /** Rows counted (the rows the query shows). */
  total: number
  /** Distinct values (or pairs). */
  distinct: number
  /** Distinct values (or pairs) the find text keeps (all of them without one). */
  matching: number
  /** How many of the matching entries, in the order asked for, come before the first sent. */
  offset: number
  /** The entries from `offset` on, in the order asked for, at most the limit. */
  entries: StackEntry[]
  /** True when more entries match than were sent (before `offset` or after the last). */
  isTruncated: boolean
  tookMs?: number
}

/**
 * A record as the grid shows it: everything except the raw text, provenance and warnings. Rows
 * asked for with `columns` are lean: text columns not asked for are empty, and `fields` holds
 * only the fields asked for.
 */
export type GridRow = Omit<NormalizedRecord, 'raw' | 'warnings' | 'provenance'> & {
  tags: string[]
  marks?: RowMarks
}

/** Whole records (raw text included) of a view, with their annotations, for lossless exports. */
export interface RecordsPage {
  total: number
  records: NormalizedRecord[]
  annotations: Record<string, { tags: string[]; comment: string }>
}

/** A flattened field the index has seen, with the number of records carrying it. */
export interface FieldKeyInfo {
  key: string
  count: number
}

/** How far the worker is with loading the cache. */
export interface LoadProgress {
  indexed: number
  total: number
  isDone: boolean
  /** Every flattened field seen so far, most common first. */
  fieldKeys: FieldKeyInfo[]
  /**
   * Chunks the worker appended so far: read back from IndexedDB, or handed over from memory by
   * the page that committed them (query-worker-keeper.ts). Shown as data attributes of the
   * Explorer's count line, so tests can tell a hand-over from a read-back.
   */
  chunks: { read: number; handedOver: number }
}

/** Messages the UI sends to the worker; each request carries an id its answer repeats. */
export type WorkerRequest =
  | { type: 'open'; reqId: number; dbName: string }
  | { type: 'query'; reqId: number; query: ExplorerQuery }
  | {
      type: 'rows'
      reqId: number
      query: ExplorerQuery
      start: number
      end: number
      /** The grid's shown column ids: lean rows with only their values (row-columns.ts). */
      columns?: string[]
    }
  | { type: 'records'; reqId: number; query: ExplorerQuery; start: number; end: number }
  | { type: 'bulk-tag'; reqId: number; query: ExplorerQuery; tag: string }
  | { type: 'refresh'; reqId: number }
  | {
      /**
       * The AppDb instance (`writerId`) whose commits are handed over from now on: its "records
       * committed" broadcasts are skipped (its hand-overs bring those chunks).
       */
      type: 'hand-over-from'
      reqId: number
      writer: string
    }
  | {
      /** Chunks this window just committed to cache `dbName` (epoch `epoch`), from memory. */
      type: 'append'
      reqId: number
      dbName: string
      epoch: string | undefined
      chunks: StoredColumns[]
    }
  | {
      type: 'stack'
      reqId: number
      query: ExplorerQuery
      /** One or two column ids (the date as `createdAt@day@utc`: see date-buckets.ts). */
      columns: string[]
      sort: StackSort
      limit: number
      /** Entries to skip (paging) and text the entries must contain. */
      offset?: number
      find?: string
    }

/** What each request answers. */
export interface WorkerAnswers {
  open: LoadProgress
  query: QuerySummary
  rows: { total: number; rows: GridRow[] }
  records: RecordsPage
  'bulk-tag': { tagged: number }
  refresh: LoadProgress
  append: LoadProgress
  'hand-over-from': null
  stack: StackAnswer
}

export type WorkerRequestType = WorkerRequest['type']

/** Messages the worker sends: answers, and pushes when the index changed. */
export type WorkerMessage = WorkerRpcMessage<LoadProgress>
