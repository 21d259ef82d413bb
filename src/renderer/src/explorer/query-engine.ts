/**
 * The query worker's logic, free of worker plumbing so it runs under Vitest with fake-indexeddb:
 * loads the cache's persisted column chunks from Dexie into a {@link ColumnIndex} (typed arrays
 * straight in, no per-record objects), appends newly committed chunks, answers queries and serves
 * pages of grid rows from the index itself; only lossless exports read the raw bodies.
 */
import type { AppDb } from '../db/app-db'
import {
  bodyProvenance,
  bodyRaw,
  resolveBody,
  type BodyChunk,
  type ColumnChunk
} from '../db/record-chunk'
import type { NormalizedRecord } from '../../../shared/audit'
import { readColumns, type StoredColumns } from '../../../shared/cache/stored-chunk'
import type { StackSort } from '../../../shared/explorer'

import { ColumnIndex, type QueryResult } from './column-index'
import type { RowBits } from './row-bits'
import { rowColumnsOf } from './row-columns'
import type { StackWindow } from './stack-counts'
import type {
  ExplorerQuery,
  GridRow,
  LoadProgress,
  QuerySummary,
  RecordsPage,
  RowMarks,
  StackAnswer
} from './query-types'

/**
 * Column chunks read per IndexedDB request while loading: few at first, so the first rows show
 * at once and the first queries wait behind small appends, then more per request.
 */
const LOAD_CHUNKS = 12
const FIRST_LOAD_CHUNKS = 1
/** Body chunks kept for exports that walk the cache in display order. */
const BODY_CACHE = 8
/** Chunks whose quick-search filters are made between two looks at incoming messages. */
const PREPARE_CHUNKS = 1
/**
 * How long chunks must have stopped arriving (an import, a sync, another window's commits)
 * before the quick search's filters of the new ones are made. An ingest keeps both cores busy
 * (the shell's normalize workers, this window's commits, the browser's IndexedDB): making the
 * filters meanwhile took ~5 CPU-seconds from a 1M-record import (~8 % of its CPU), work that a
 * search made during the import does not need (an unprepared chunk is read whole, with the same
 * answer). Opening a cache prepares at once.
 */
export const PREPARE_AFTER_GROWTH_MS = 1500

/** Resolves after the tasks already queued (a worker's incoming messages) have run. */
function yieldToMessages(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof MessageChannel === 'undefined') {
      setTimeout(resolve, 0)
      return
    }
    const channel = new MessageChannel()
    channel.port1.onmessage = () => {
      channel.port1.close()
      resolve()
    }
    channel.port2.postMessage(null)
  })
}

function queryKey(query: ExplorerQuery): string {
  return JSON.stringify(query)
}

export class QueryEngine {
  readonly index = new ColumnIndex()
  private loadedChunks = 0
  private total = 0
  private isDone = false
  private last: { key: string; result: QueryResult } | null = null
  private loading: Promise<LoadProgress> | null = null
  private isStale = false
  private readonly bodies = new Map<number, BodyChunk>()
  private isPreparing = false
  /** When chunks were last appended to rows already loaded (performance.now()). */
  private grewAt = Number.NEGATIVE_INFINITY
  private prepareTimer: ReturnType<typeof setTimeout> | null = null
  /** Replaced (the cache was cleared): prepares nothing more. */
  private isDisposed = false
  /**
   * Chunks the committing page handed over ({@link offer}), by number, until a load appends
   * them, and the cache epoch they belong to.
   */
  private readonly offered = new Map<number, StoredColumns>()
  private offeredEpoch: string | undefined = undefined
  /** The cache epoch of the chunks loaded so far (null before the first load read the meta). */
  private loadedEpoch: string | undefined | null = null
  /** The next pass reads every chunk the meta row lists, not only the ones handed over. */
  private wantsAll = false
  /** Chunks appended so far: read back from IndexedDB, or handed over from memory. */
  private readonly sources = { read: 0, handedOver: 0 }

  constructor(private readonly db: AppDb) {}

  /** Where loading stands. */
  progress(): LoadProgress {
    return {
      indexed: this.index.size,
      total: Math.max(this.total, this.index.size),
      isDone: this.isDone,
      fieldKeys: this.index.fieldKeyInfo(),
      chunks: { ...this.sources }
    }
  }

  /** The load under way when it ends, or where loading stands when none is under way. */
  settled(): Promise<LoadProgress> {
    return this.loading ?? Promise.resolve(this.progress())
  }

  /**
   * Reads every chunk committed since the last load (all of them the first time), a few chunks
   * per request, reporting progress after each. Concurrent calls share one pass.
   */
  load(onProgress?: (progress: LoadProgress) => void): Promise<LoadProgress> {
    this.wantsAll = true
    return this.pass(onProgress)
  }

  /** Runs a load pass, or marks the one under way stale (it runs once more). */
  private pass(onProgress?: (progress: LoadProgress) => void): Promise<LoadProgress> {
    if (this.loading) {
      // Chunks committed while a pass runs may land after its last read: read once more.
      this.isStale = true
      return this.loading
    }
    this.loading = (async () => {
      let progress = await this.loadNew(onProgress)
      while (this.isStale) {
        this.isStale = false
        progress = await this.loadNew(onProgress)
      }
      return progress
    })().finally(() => (this.loading = null))
    return this.loading
  }

  private async loadNew(onProgress?: (progress: LoadProgress) => void): Promise<LoadProgress> {
    this.isDone = false
    const isAll = this.wantsAll
    this.wantsAll = false
    const meta = await this.db.cacheMeta()
    if (meta.chunks < this.loadedChunks) {
      // The cache was cleared (and maybe refilled): the 'reset' message replaces this engine.
      this.isDone = true
      return this.progress()
    }
    if (this.loadedChunks === 0) {
      this.loadedEpoch = meta.epoch
    }
    // Chunks handed over stand for what IndexedDB holds only while the meta row is of their epoch
    // and of the epoch loaded so far (a cache cleared and refilled is another cache).
    if (this.offeredEpoch !== meta.epoch || this.loadedEpoch !== meta.epoch) {
      this.offered.clear()
    }
    for (const n of this.offered.keys()) {
      if (n < this.loadedChunks) {
        // Already read from IndexedDB (a load was reading them when they were handed over).
        this.offered.delete(n)
      }
    }
    this.total = Math.max(this.total, meta.rows)
    // A pass for chunks handed over appends those and stops: the meta row may already list this
    // window's next commit, whose chunks are on their way (its own hand-over appends them). With
    // a gap before them it reads on from IndexedDB like any load.
    let end = meta.chunks
    if (!isAll) {
      let run = this.loadedChunks
      while (run < meta.chunks && this.offered.has(run)) {
        run++
      }
      if (run > this.loadedChunks) {
        end = run
      }
    }
    if (end === this.loadedChunks) {
      // Nothing new (the commit was handed over, or another refresh read it).
      this.isDone = true
      return this.progress()
    }
    this.index.reserve(meta.rows)
    const firstRow = this.index.size
    // The first read is small so the first rows show at once; later reads are bigger, and the
    // next read is already on its way while a page is appended (IndexedDB works in parallel).
    // Chunks the page handed over are taken from memory, not read again.
    const read = (from: number, count: number): Promise<ColumnChunk[]> => {
      if (from >= end) {
        return Promise.resolve([])
      }
      const handed = this.takeOffered(from, end)
      if (handed.length > 0) {
        return Promise.all(handed.map(readColumns))
      }
      let to = Math.min(end, from + count)
      for (let n = from + 1; n < to; n++) {
        if (this.offered.has(n)) {
          to = n
        }
      }
      return this.db.columns
        .where('n')
        .between(from, to, true, false)
        .toArray()
        .then((chunks) => {
          this.sources.read += chunks.length
          return Promise.all(chunks.map(readColumns))
        })
    }
    let size = FIRST_LOAD_CHUNKS
    let next = read(this.loadedChunks, size)
    // Annotations are few next to records: read them once, while the first chunks are on their
    // way, and tag the new rows once they are all appended.
    const notes = new Map<string, string[]>()
    await this.db.annotations.each((note) => {
      if (note.tags.length > 0) {
        notes.set(note.id, note.tags)
      }
    })
    while (this.loadedChunks < end) {
      const chunks = await next
      if (chunks.length === 0) {
        break
      }
      if (chunks[0]!.n !== this.loadedChunks || chunks[0]!.firstRow !== this.index.size) {
        // Not the next rows (cannot happen while the meta row and the chunks agree): stop
        // rather than misplace them; the next load reads on from here.
        break
      }
      const after = this.loadedChunks + chunks.length
      size = Math.min(LOAD_CHUNKS, size * 2)
      next = read(after, size)
      if (firstRow > 0) {
        this.grewAt = performance.now()
      }
      this.index.appendChunks(chunks)
      this.loadedChunks = after
      this.last = null
      if (this.loadedChunks < end) {
        onProgress?.(this.progress())
        // Queries that arrived meanwhile (first rows, counts so far) are answered before the
        // next append, not after it.
        await yieldToMessages()
      }
    }
    if (notes.size > 0 && this.index.size > firstRow) {
      const tagged: [number, string[]][] = []
      for (const [id, row] of this.index.rowsOfIds(notes.keys())) {
        if (row >= firstRow) {
          tagged.push([row, notes.get(id)!])
        }
      }
      this.index.setTags(tagged)
      this.index.forgetTagMasks()
    }
    this.isDone = true
    this.schedulePrepare()
    return this.progress()
  }

  /**
   * Takes chunks a commit of this window placed, straight from memory (issue 13: the Explorer is
   * ready the moment an import ends, with no read-back of what was just written), then loads:
   * the chunks that are exactly the next ones for the meta row, of the epoch loaded so far, are
   * appended as they came; anything else — a gap, another window's commit, a load already
   * reading them — is read from IndexedDB as {@link load} does, so the index always ends up
   * exactly what IndexedDB holds. `chunks` must be consecutive, in order.
   */
  offer(epoch: string | undefined, chunks: readonly StoredColumns[]): Promise<LoadProgress> {
    if (chunks.every((chunk) => chunk.n < this.loadedChunks) && epoch === this.loadedEpoch) {
      // Already loaded (a load read them before they came): nothing to do.
      return this.settled()
    }
    if (this.offeredEpoch !== epoch) {
      this.offered.clear()
      this.offeredEpoch = epoch
    }
    chunks.forEach((chunk, i) => {
      if (chunk.n >= this.loadedChunks && (i === 0 || chunk.n === chunks[i - 1]!.n + 1)) {
        this.offered.set(chunk.n, chunk)
      }
    })
    return this.pass()
  }

  /** The handed-over chunks `from`, `from + 1`… below `end`, removed from the offered ones. */
  private takeOffered(from: number, end: number): StoredColumns[] {
    const out: StoredColumns[] = []
    for (let n = from; n < end; n++) {
      const chunk = this.offered.get(n)
      if (!chunk) {
        break
      }
      this.offered.delete(n)
      out.push(chunk)
    }
    this.sources.handedOver += out.length
    return out
  }

  /**
   * Makes the quick search's filters of every loaded chunk (column-index.ts) a few chunks at a
   * time once loading is done, answering messages in between, so the first search is not the
   * one that pays for them. While chunks keep arriving ({@link PREPARE_AFTER_GROWTH_MS}) it
   * waits, and resumes once they have stopped.
   */
  async prepareSearch(): Promise<void> {
    if (this.isPreparing) {
      return
    }
    this.isPreparing = true
    try {
      while (!this.isDisposed && !this.isGrowing() && !this.index.prepareSearch(PREPARE_CHUNKS)) {
        await yieldToMessages()
      }
    } finally {
      this.isPreparing = false
    }
    if (this.isGrowing()) {
      this.schedulePrepare()
    }
  }

  /** Chunks were appended less than {@link PREPARE_AFTER_GROWTH_MS} ago. */
  private isGrowing(): boolean {
    return performance.now() - this.grewAt < PREPARE_AFTER_GROWTH_MS
  }

  /** Stops any preparation under way or waiting (the worker replaces this engine). */
  dispose(): void {
    this.isDisposed = true
    if (this.prepareTimer !== null) {
      clearTimeout(this.prepareTimer)
      this.prepareTimer = null
    }
  }

  /** Prepares now, or once chunks have stopped arriving. */
  private schedulePrepare(): void {
    if (this.isDisposed) {
      return
    }
    const wait = this.grewAt + PREPARE_AFTER_GROWTH_MS - performance.now()
    if (wait <= 0) {
      void this.prepareSearch()
    } else if (this.prepareTimer === null) {
      this.prepareTimer = setTimeout(() => {
        this.prepareTimer = null
        this.schedulePrepare()
      }, wait)
    }
  }

  /** Reads the annotations of some records into the index's tag lists. */
  async loadTags(ids: string[]): Promise<void> {
    const annotations = await this.db.annotations.bulkGet(ids)
    const tagged = new Map<string, string[]>()
    ids.forEach((id, i) => tagged.set(id, annotations[i]?.tags ?? []))
    const rows = this.index.rowsOfIds(tagged.keys())
    const entries: [number, string[]][] = []
    for (const [id, row] of rows) {
      entries.push([row, tagged.get(id) ?? []])
    }
    this.index.setTags(entries)
    this.index.forgetTagMasks()
    this.last = null
  }

  /** Answers a query (cached while the index and the query stay the same). */
  run(query: ExplorerQuery): QueryResult {
    const key = queryKey(query)
    if (this.last && this.last.key === key) {
      return this.last.result
    }
    const result = this.index.run(query)
    this.last = { key, result }
    return result
  }

  /** The summary of a query: counts, facets and histogram. */
  summary(query: ExplorerQuery): QuerySummary {
    const started = performance.now()
    const result = this.run(query)
    const hits = this.searchHits(query)
    let searchHits: number | undefined
    if (hits) {
      searchHits = 0
      for (const row of result.rows) {
        searchHits += hits.has(row) ? 1 : 0
      }
    }
    return {
      total: result.rows.length,
      indexed: this.index.size,
      facets: result.facets,
      histogram: result.histogram,
      tookMs: performance.now() - started,
      ...(searchHits === undefined ? {} : { searchHits })
    }
  }

  /** In highlight mode, the rows the quick search matches; otherwise null. */
  private searchHits(query: ExplorerQuery): RowBits | null {
    return query.searchMode === 'highlight' ? this.index.syntaxMask(query.quickSearch) : null
  }

  /** Marks a page of rows: search hits (highlight mode) and the first matching colour rule. */
  private marker(query: ExplorerQuery): (row: number) => RowMarks | undefined {
    const hits = this.searchHits(query)
    const rules = (query.colourRules ?? []).flatMap((rule) => {
      try {
        const mask = this.index.syntaxMask(rule.search)
        return mask ? [{ mask, colour: rule.colour }] : []
      } catch {
        // The rule editor refuses rules that do not parse; an imported one that names a field
        // this cache lacks colours nothing.
        return []
      }
    })
    if (!hits && rules.length === 0) {
      return () => undefined
    }
    return (row) => {
      const marks: RowMarks = {}
      if (hits) {
        marks.searchHit = hits.has(row)
      }
      const rule = rules.find((r) => r.mask.has(row))
      if (rule) {
        marks.colour = rule.colour
      }
      return marks
    }
  }

  /** A stack of the rows a query shows by one or two columns (value, count, share). */
  stack(
    query: ExplorerQuery,
    columns: string[],
    sort: StackSort,
    limit: number,
    window: StackWindow = {}
  ): StackAnswer {
    const started = performance.now()
    const answer = this.index.stack(query, columns, sort, limit, window)
    return { ...answer, tookMs: performance.now() - started }
  }

  /**
   * Rows [start, end) of a query's result, straight from the index (no raw text). With `columns`
   * (the grid's shown column ids), lean rows: only the values those columns read (row-columns.ts);
   * marks still weigh every field.
   */
  rows(
    query: ExplorerQuery,
    start: number,
    end: number,
    columns?: readonly string[]
  ): { total: number; rows: GridRow[] } {
    const result = this.run(query)
    const slice = result.rows.subarray(Math.max(0, start), Math.min(end, result.rows.length))
    const mark = this.marker(query)
    const want = columns ? rowColumnsOf(columns) : undefined
    return {
      total: result.rows.length,
      rows: Array.from(slice, (row) => {
        const marks = mark(row)
        const gridRow = this.index.gridRow(row, want)
        return marks ? { ...gridRow, marks } : gridRow
      })
    }
  }

  /** Whole records [start, end) of a query's result with their annotations (lossless exports). */
  async records(query: ExplorerQuery, start: number, end: number): Promise<RecordsPage> {
    const result = this.run(query)
    const slice = result.rows.subarray(Math.max(0, start), Math.min(end, result.rows.length))
    const ids = Array.from(slice, (row) => this.index.idOf(row))
    const notes = await this.db.annotations.bulkGet(ids)
    // Each body chunk the page needs is read once (a page in display order may touch many).
    const places = Array.from(slice, (row) => this.index.chunkSlotOf(row))
    const wanted = [...new Set(places.map((place) => place.n))].filter((n) => !this.bodies.has(n))
    const read = await Promise.all(
      (await this.db.bodies.bulkGet(wanted)).map((body) => body && resolveBody(body))
    )
    const bodies = new Map(this.bodies)
    wanted.forEach((n, i) => {
      const body = read[i]
      if (body) {
        bodies.set(n, body)
        if (this.bodies.size >= BODY_CACHE) {
          this.bodies.delete(this.bodies.keys().next().value!)
        }
        this.bodies.set(n, body)
      }
    })
    const records: NormalizedRecord[] = places.map(({ n, slot }, i) => {
      const body = bodies.get(n)
      // eslint-disable-next-line @typescript-eslint/no-unused-vars
      const { tags, ...rest } = this.index.gridRow(slice[i]!)
      return {
        ...rest,
        raw: body ? bodyRaw(body, slot) : '',
        warnings: [...(body?.warnings[slot] ?? [])],
        provenance: body ? bodyProvenance(body, slot) : null
      }
    })
    const annotations: RecordsPage['annotations'] = {}
    for (const note of notes) {
      if (note) {
        annotations[note.id] = { tags: note.tags, comment: note.comment }
      }
    }
    return { total: result.rows.length, records, annotations }
  }

  /** Record Ids of a query's result, in display order. */
  ids(query: ExplorerQuery): string[] {
    return Array.from(this.run(query).rows, (row) => this.index.idOf(row))
  }

  /** Adds a tag to every record the query shows; returns how many records gained it. */
  async bulkTag(query: ExplorerQuery, tag: string): Promise<number> {
    const ids = this.ids(query)
    const tagged = await this.db.addTag(ids, tag)
    await this.loadTags(ids)
    return tagged
  }
}
