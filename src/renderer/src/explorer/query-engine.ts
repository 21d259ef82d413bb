/**
 * The query worker's logic, free of worker plumbing so it runs under Vitest with fake-indexeddb:
 * loads the cache from Dexie in chunks into a {@link ColumnIndex}, appends newly committed records,
 * answers queries and serves pages of rows read back from Dexie by Id.
 */
import type { AppDb, RecordRow } from '../db/app-db'

import { ColumnIndex, type QueryResult } from './column-index'
import type { ExplorerQuery, GridRow, LoadProgress, QuerySummary, RecordsPage } from './query-types'

const LOAD_CHUNK = 5000

function queryKey(query: ExplorerQuery): string {
  return JSON.stringify(query)
}

/** A record without its raw text, with its tags: what the grid receives. */
export function toGridRow(record: RecordRow, tags: string[]): GridRow {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { raw, warnings, seq, ...rest } = record
  return { ...rest, tags }
}

export class QueryEngine {
  readonly index = new ColumnIndex()
  private lastSeq = 0
  private total = 0
  private isDone = false
  private last: { key: string; result: QueryResult } | null = null
  private loading: Promise<LoadProgress> | null = null
  private isStale = false

  constructor(private readonly db: AppDb) {}

  /** Where loading stands. */
  progress(): LoadProgress {
    return {
      indexed: this.index.size,
      total: Math.max(this.total, this.index.size),
      isDone: this.isDone,
      fieldKeys: this.index.fieldKeyInfo()
    }
  }

  /**
   * Reads every record committed since the last load (all of them the first time), in chunks,
   * reporting progress after each chunk. Concurrent calls share one pass.
   */
  load(onProgress?: (progress: LoadProgress) => void): Promise<LoadProgress> {
    if (this.loading) {
      // Records committed while a pass runs may land after its last read: read once more.
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
    // IndexedDB's count() walks the whole store and holds up every other request meanwhile; the
    // last `seq` gives the same figure (rows are numbered 1…n) from one step of an index cursor.
    void this.db.records
      .orderBy('seq')
      .last()
      .then((last) => (this.total = Math.max(this.total, last?.seq ?? 0)))
    // Annotations are few next to records: read them once and tag rows as they are appended.
    const notes = new Map<string, string[]>()
    await this.db.annotations.each((note) => {
      notes.set(note.id, note.tags)
    })
    for (;;) {
      const rows = await this.db.recordsAfter(this.lastSeq, LOAD_CHUNK)
      if (rows.length === 0) {
        break
      }
      const first = this.index.size
      this.index.append(rows)
      this.lastSeq = rows[rows.length - 1]!.seq
      this.last = null
      const tagged: [number, string[]][] = []
      rows.forEach((row, i) => {
        const tags = notes.get(row.id)
        if (tags && tags.length > 0) {
          tagged.push([first + i, tags])
        }
      })
      this.index.setTags(tagged)
      if (rows.length < LOAD_CHUNK) {
        break
      }
      onProgress?.(this.progress())
    }
    this.isDone = true
    return this.progress()
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
    return {
      total: result.rows.length,
      indexed: this.index.size,
      facets: result.facets,
      histogram: result.histogram,
      tookMs: performance.now() - started
    }
  }

  /** Rows [start, end) of a query's result, read from Dexie by Id (the raw text left out). */
  async rows(
    query: ExplorerQuery,
    start: number,
    end: number
  ): Promise<{ total: number; rows: GridRow[] }> {
    const result = this.run(query)
    const slice = result.rows.subarray(Math.max(0, start), Math.min(end, result.rows.length))
    const ids = Array.from(slice, (row) => this.index.idOf(row))
    const tags = Array.from(slice, (row) => this.index.tagsOf(row))
    const records = await this.db.records.bulkGet(ids)
    const rows: GridRow[] = []
    records.forEach((record, i) => {
      if (record) {
        rows.push(toGridRow(record, tags[i] ?? []))
      }
    })
    return { total: result.rows.length, rows }
  }

  /** Whole records [start, end) of a query's result with their annotations (lossless exports). */
  async records(query: ExplorerQuery, start: number, end: number): Promise<RecordsPage> {
    const result = this.run(query)
    const slice = result.rows.subarray(Math.max(0, start), Math.min(end, result.rows.length))
    const ids = Array.from(slice, (row) => this.index.idOf(row))
    const [rows, notes] = await Promise.all([
      this.db.records.bulkGet(ids),
      this.db.annotations.bulkGet(ids)
    ])
    const records = rows
      .filter((row): row is RecordRow => row !== undefined)
      .map((row) => {
        // eslint-disable-next-line @typescript-eslint/no-unused-vars
        const { seq, ...record } = row
        return record
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
