import { Dexie, type DexieOptions, type Table } from 'dexie'

import type { LedgerBlob, LedgerQuery, LedgerWindow } from '../../../shared/acquisition'
import type { NormalizedRecord } from '../../../shared/audit'

import { selectStoredRows } from '../../../shared/cache/packed-chunk'
import {
  chunkToStore,
  readColumns,
  type ChunkToStore,
  type StoredColumns
} from '../../../shared/cache/stored-chunk'

import {
  DB_CHANNEL_NAME,
  DEFAULT_DB_NAME,
  META_KEY,
  type AnnotationRow,
  type CacheMeta,
  type CommitResult,
  type CommittedChunks,
  type DbChannelMessage,
  type ImportedAnnotation,
  type LedgerDelta,
  type LedgerKind,
  type LedgerRow,
  type RecordRow,
  type SavedFilterRow,
  type SettingRow,
  type StoredChunk
} from './cache-types'
import { defineCacheSchema, placeChunk } from './cache-schema'
import {
  addRepeats,
  chunkOfRow,
  repeatsByChunk,
  type ChunkDuplicates,
  type RepeatRows
} from './duplicate-counts'
import { IdLocator } from './id-locator'
import { normalizeTags, settingKey, toLedgerRow } from './cache-rows'
import {
  decodeRecord,
  encodeChunks,
  resolveBody,
  type BodyChunk,
  type IdChunk
} from './record-chunk'

export * from './cache-types'
export { normalizeTags, toLedgerRow } from './cache-rows'

/** Records to commit: their Ids in order, and how to encode the rows that are new. */
interface PendingBatch {
  ids: readonly string[]
  /** Chunks of the rows `fresh` (ascending indexes into `ids`), in that order. */
  build: (fresh: number[]) => ChunkToStore[]
}

/** Thrown inside a commit when another writer committed first; the commit is retried. */
class StaleWriterError extends Error {
  override name = 'StaleWriterError'
}

const CHUNK = 2000

/**
 * The app's IndexedDB cache (STYLE.md rule 17): one typed Dexie class with a versioned schema
 * (cache-schema.ts).
 */
export class AppDb extends Dexie {
  /** What the query worker reads, one row per chunk of records (see record-chunk.ts). */
  declare columns: Table<StoredColumns, number>
  /** Raw record text per chunk. */
  declare bodies: Table<BodyChunk, number>
  /** Record Ids per chunk (exact de-duplication). */
  declare chunkIds: Table<IdChunk, number>
  declare meta: Table<CacheMeta, string>
  /** Duplicate counts per chunk (see duplicate-counts.ts). */
  declare chunkDuplicates: Table<ChunkDuplicates, number>
  declare windows: Table<LedgerRow<LedgerWindow>, string>
  declare blobs: Table<LedgerRow<LedgerBlob>, string>
  declare queries: Table<LedgerRow<LedgerQuery>, string>
  declare savedFilters: Table<SavedFilterRow, string>
  declare annotations: Table<AnnotationRow, string>
  declare settings: Table<SettingRow, string>

  constructor(name: string = DEFAULT_DB_NAME, options?: DexieOptions) {
    super(name, options)
    defineCacheSchema(this)
  }

  // The writer's view of which Ids are cached: rebuilt from the id chunks on the first commit
  // (or lookup) and kept current by this instance's commits; another writer's commits are read
  // when the meta row says they exist.
  private locator: IdLocator | null = null
  private locatorChunks = 0
  private locatorEpoch: string | undefined = undefined
  private chunkFirstRows: number[] = []
  private readonly idChunkCache = new Map<number, string[]>()
  private commitQueue: Promise<unknown> = Promise.resolve()
  private readonly commitListeners = new Set<(committed: CommittedChunks) => void>()
  /** This instance, in what its commits tell and broadcast ({@link CommittedChunks.writer}). */
  readonly writerId = crypto.randomUUID()

  /**
   * Tells `listener` what each commit of this instance placed, right after its transaction
   * completed and before the "records committed" broadcast (the Explorer's query worker appends
   * the chunks from memory instead of reading them back: query-worker-keeper.ts). Returns the
   * unsubscribe. A listener that throws does not fail the commit.
   */
  onDidCommitChunks(listener: (committed: CommittedChunks) => void): () => void {
    this.commitListeners.add(listener)
    return () => this.commitListeners.delete(listener)
  }

  /** The meta row (an empty cache has none). */
  async cacheMeta(): Promise<CacheMeta> {
    return (await this.meta.get(META_KEY)) ?? { key: META_KEY, chunks: 0, rows: 0 }
  }

  /** Brings the Id locator up to the chunks committed so far (by this window or another). */
  private async syncLocator(): Promise<IdLocator> {
    const meta = await this.cacheMeta()
    if (!this.locator || meta.chunks < this.locatorChunks || meta.epoch !== this.locatorEpoch) {
      // First use, or the cache was cleared (and maybe refilled) elsewhere.
      this.locator = new IdLocator(meta.rows)
      this.locatorEpoch = meta.epoch
      this.locatorChunks = 0
      this.chunkFirstRows = []
      this.idChunkCache.clear()
    }
    const locator = this.locator
    while (this.locatorChunks < meta.chunks) {
      const page = await this.chunkIds
        .where('n')
        .between(this.locatorChunks, meta.chunks, true, false)
        .limit(64)
        .toArray()
      if (page.length === 0) {
        break
      }
      for (const chunk of page) {
        this.rememberChunk(chunk)
      }
    }
    return locator
  }

  private rememberChunk(chunk: IdChunk): void {
    this.chunkFirstRows[chunk.n] = chunk.firstRow
    chunk.ids.forEach((id, i) => this.locator!.add(id, chunk.firstRow + i))
    this.locatorChunks = chunk.n + 1
  }

  /** The chunk holding `row`. */
  private chunkOfRow(row: number): number {
    return chunkOfRow(this.chunkFirstRows, row)
  }

  private async idsOfChunk(n: number): Promise<string[]> {
    return (await this.idsOfChunks([n])).get(n) ?? []
  }

  /** The row of a cached record Id, or -1 (exact: hash candidates are checked against the Id). */
  async rowOfId(id: string): Promise<number> {
    return this.rowInLocator(await this.syncLocator(), id)
  }

  /** {@link rowOfId} against the locator as it stands (no look at the meta row). */
  private async rowInLocator(locator: IdLocator, id: string): Promise<number> {
    for (const row of locator.candidates(id)) {
      const n = this.chunkOfRow(row)
      const ids = await this.idsOfChunk(n)
      if (ids[row - this.chunkFirstRows[n]!] === id) {
        return row
      }
    }
    return -1
  }

  /**
   * Stores a batch of records and its ledger delta in ONE transaction (ARCHITECTURE.md data flow
   * step 3): a crash leaves either both or neither. Records are keyed by their audit Id; an Id
   * already cached, or repeated in the batch, increments its duplicate counter instead.
   *
   * A snapshot import also passes `annotations`: merged into the same transaction (tags are
   * added to those already there; a comment already written is kept).
   */
  async commitBatch(
    records: NormalizedRecord[],
    ledger: LedgerDelta = {},
    annotations: readonly ImportedAnnotation[] = []
  ): Promise<CommitResult> {
    return this.commitPending(
      {
        ids: records.map((record) => record.id),
        build: (fresh) => encodeChunks(fresh.map((i) => records[i]!))
      },
      ledger,
      annotations
    )
  }

  /**
   * {@link commitBatch} for records main already encoded and packed as chunks (the hand-over of
   * sync, audit-file import and snapshot import, src/shared/cache/packed-chunk.ts): the chunks are
   * stored as they came, only the rows whose Id is already cached are left out. Rows in `skip`
   * (indexes over all rows of the chunks: repeats main already counted) are neither stored nor
   * counted. A chunk may come as bytes (Electron's IPC) or as a Blob (the browser shell's
   * hand-over, whose raw texts are then stored as a slice of that Blob, never read into the page).
   */
  async commitPacked(
    packed: readonly (Uint8Array | Blob)[],
    ledger: LedgerDelta = {},
    annotations: readonly ImportedAnnotation[] = [],
    skip: readonly number[] = []
  ): Promise<CommitResult> {
    const chunks = await Promise.all(packed.map(chunkToStore))
    const skipped = new Set(skip)
    // ids[k] is the Id of row rows[k] (over all rows of the chunks).
    const ids: string[] = []
    const rows: number[] = []
    let row = 0
    for (const chunk of chunks) {
      for (const id of chunk.ids.ids) {
        if (!skipped.has(row)) {
          ids.push(id)
          rows.push(row)
        }
        row++
      }
    }
    return this.commitPending(
      {
        ids,
        build: (freshIds) => {
          const fresh = freshIds.map((k) => rows[k]!)
          const out: ChunkToStore[] = []
          let at = 0
          let first = 0
          for (const chunk of chunks) {
            const end = first + chunk.columns.count
            const keep: number[] = []
            while (at < fresh.length && fresh[at]! < end) {
              keep.push(fresh[at++]! - first)
            }
            if (keep.length > 0) {
              out.push(selectStoredRows(chunk, keep))
            }
            first = end
          }
          return out
        }
      },
      ledger,
      annotations
    )
  }

  private async commitPending(
    batch: PendingBatch,
    ledger: LedgerDelta,
    annotations: readonly ImportedAnnotation[]
  ): Promise<CommitResult> {
    // Commits of this window run one after another (batches may arrive while one commits), so
    // each sees the Ids the previous one stored.
    const run = this.commitQueue.then(async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await this.tryCommit(batch, ledger, annotations, attempt > 0)
        } catch (error) {
          // Another window committed between our look-up and our write: look again.
          if (!(error instanceof Error && error.name === 'StaleWriterError') || attempt >= 20) {
            throw error
          }
        }
      }
    })
    this.commitQueue = run.catch(() => undefined)
    const result = await run
    if (result.new > 0) {
      this.announce({
        type: 'records-committed',
        dbName: this.name,
        added: result.new,
        writer: this.writerId
      })
    }
    if (annotations.length > 0) {
      this.announce({
        type: 'annotations-changed',
        dbName: this.name,
        ids: annotations.map((a) => a.id)
      })
    }
    return result
  }

  /**
   * Splits a batch's Ids into new rows (their indexes) and repeats: of a cached row (row → times)
   * or of an earlier new row of the same batch (its ordinal among the new rows → times). Every
   * hash candidate is confirmed against the stored Id; the id chunks the candidates point to are
   * read in one go, not one look-up per record.
   */
  private async classify(
    ids: readonly string[],
    locator: IdLocator
  ): Promise<{
    freshRows: number[]
    cachedRepeats: RepeatRows
    batchRepeats: Map<number, number>
  }> {
    const candidates: Array<number[] | undefined> = new Array(ids.length)
    const needed = new Set<number>()
    for (let i = 0; i < ids.length; i++) {
      const rows = locator.candidates(ids[i]!)
      if (rows.length > 0) {
        candidates[i] = rows
        rows.forEach((row) => needed.add(this.chunkOfRow(row)))
      }
    }
    const idChunks = await this.idsOfChunks([...needed])
    const freshRows: number[] = []
    const cachedRepeats: RepeatRows = new Map()
    const batchRepeats = new Map<number, number>()
    const freshOrdinal = new Map<string, number>()
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!
      const ordinal = freshOrdinal.get(id)
      if (ordinal !== undefined) {
        batchRepeats.set(ordinal, (batchRepeats.get(ordinal) ?? 0) + 1)
        continue
      }
      const row = candidates[i]?.find((r) => {
        const n = this.chunkOfRow(r)
        return idChunks.get(n)?.[r - this.chunkFirstRows[n]!] === id
      })
      if (row !== undefined) {
        cachedRepeats.set(row, (cachedRepeats.get(row) ?? 0) + 1)
      } else {
        freshOrdinal.set(id, freshRows.length)
        freshRows.push(i)
      }
    }
    return { freshRows, cachedRepeats, batchRepeats }
  }

  /** The Ids of chunks `ns`: from the small cache, the rest in one read. */
  private async idsOfChunks(ns: readonly number[]): Promise<Map<number, string[]>> {
    const out = new Map<number, string[]>()
    const missing: number[] = []
    for (const n of ns) {
      const ids = this.idChunkCache.get(n)
      if (ids) {
        out.set(n, ids)
      } else {
        missing.push(n)
      }
    }
    if (missing.length > 0) {
      const read = await this.chunkIds.bulkGet(missing)
      missing.forEach((n, i) => {
        const ids = read[i]?.ids ?? []
        out.set(n, ids)
        if (this.idChunkCache.size >= 16) {
          this.idChunkCache.delete(this.idChunkCache.keys().next().value!)
        }
        this.idChunkCache.set(n, ids)
      })
    }
    return out
  }

  private async tryCommit(
    batch: PendingBatch,
    ledger: LedgerDelta,
    annotations: readonly ImportedAnnotation[],
    isRetry: boolean
  ): Promise<CommitResult> {
    // The first commit (or a retry after another writer's commit) brings the locator up to date;
    // otherwise the transaction's own check of the meta row is enough, which saves a round trip.
    const locator = this.locator && !isRetry ? this.locator : await this.syncLocator()
    const expectedChunks = this.locatorChunks
    const expectedEpoch = this.locatorEpoch
    // Classify outside the transaction (the look-ups may read id chunks), then write in one
    // transaction that first checks nobody else committed meanwhile.
    const { freshRows, cachedRepeats, batchRepeats } = await this.classify(batch.ids, locator)
    const chunks = batch.build(freshRows)
    const placed = await this.transaction(
      'rw',
      [
        this.meta,
        this.columns,
        this.bodies,
        this.chunkIds,
        this.chunkDuplicates,
        this.windows,
        this.blobs,
        this.queries,
        this.annotations
      ],
      async () => {
        const meta = await this.cacheMeta()
        if (meta.chunks !== expectedChunks || (meta.chunks > 0 && meta.epoch !== expectedEpoch)) {
          throw new StaleWriterError('another writer committed first')
        }
        const epoch = meta.chunks === 0 ? crypto.randomUUID() : meta.epoch
        let n = meta.chunks
        let rows = meta.rows
        const stored = chunks.map((chunk) => {
          const at = placeChunk(chunk, n++, rows)
          rows += chunk.columns.count
          return at
        })
        if (stored.length > 0) {
          await this.columns.bulkAdd(stored.map((c) => c.columns))
          await this.bodies.bulkAdd(stored.map((c) => c.body))
          await this.chunkIds.bulkAdd(stored.map((c) => c.ids))
        }
        // Repeats: of rows cached before, and of this batch's own new rows (the j-th new record
        // is row `meta.rows + j`, as the chunks above were placed).
        const repeats: RepeatRows = new Map(cachedRepeats)
        batchRepeats.forEach((count, j) => repeats.set(meta.rows + j, count))
        let duplicates = meta.duplicates ?? 0
        if (repeats.size > 0) {
          const layout = {
            firstRows: [...this.chunkFirstRows, ...stored.map((c) => c.ids.firstRow)],
            rows
          }
          const grouped = repeatsByChunk(repeats, layout)
          const touched = [...grouped.keys()]
          const current = await this.chunkDuplicates.bulkGet(touched)
          const counted = addRepeats(
            grouped,
            layout,
            new Map(touched.map((n, i) => [n, current[i]]))
          )
          await this.chunkDuplicates.bulkPut(counted.rows)
          duplicates += counted.added
        }
        if (stored.length > 0 || repeats.size > 0) {
          await this.meta.put({
            key: META_KEY,
            chunks: n,
            rows,
            ...(epoch ? { epoch } : {}),
            ...(duplicates > 0 ? { duplicates } : {})
          })
        }
        await this.windows.bulkPut((ledger.windows ?? []).map(toLedgerRow))
        await this.blobs.bulkPut((ledger.blobs ?? []).map(toLedgerRow))
        await this.queries.bulkPut((ledger.queries ?? []).map(toLedgerRow))
        if (annotations.length > 0) {
          await this.mergeAnnotations(annotations)
        }
        return { stored, epoch: stored.length > 0 ? epoch : meta.epoch }
      }
    )
    // Committed: the locator learns the new Ids (a failed transaction taught it nothing).
    if (this.locatorChunks === expectedChunks) {
      this.locatorEpoch = placed.epoch
      placed.stored.forEach((chunk) => this.rememberChunk(chunk.ids))
    }
    if (placed.stored.length > 0) {
      const committed = {
        dbName: this.name,
        writer: this.writerId,
        epoch: placed.epoch,
        chunks: placed.stored.map((chunk) => chunk.columns)
      }
      this.commitListeners.forEach((listener) => {
        try {
          listener(committed)
        } catch (error) {
          // The chunks are stored: whoever listens reads them back from IndexedDB instead.
          console.warn('[cache] a commit listener failed:', error)
        }
      })
    }
    let duplicates = 0
    cachedRepeats.forEach((count) => (duplicates += count))
    batchRepeats.forEach((count) => (duplicates += count))
    return { new: freshRows.length, duplicates }
  }

  /** Every annotation, keyed by record Id (what a snapshot export carries). */
  async allAnnotations(): Promise<Record<string, { tags: string[]; comment: string }>> {
    const out: Record<string, { tags: string[]; comment: string }> = {}
    await this.annotations.each((row) => {
      out[row.id] = { tags: row.tags, comment: row.comment }
    })
    return out
  }

  private async mergeAnnotations(annotations: readonly ImportedAnnotation[]): Promise<void> {
    const now = new Date().toISOString()
    const rows = await this.annotations.bulkGet(annotations.map((a) => a.id))
    const puts: AnnotationRow[] = []
    annotations.forEach((a, i) => {
      const row = rows[i]
      const tags = normalizeTags([...(row?.tags ?? []), ...a.tags])
      const comment = row && row.comment.trim() !== '' ? row.comment : a.comment
      if (tags.length > 0 || comment.trim() !== '') {
        puts.push({ id: a.id, tags, comment, updatedAt: now })
      }
    })
    await this.annotations.bulkPut(puts)
  }

  /** How many records are cached. */
  async countRecords(): Promise<number> {
    return (await this.cacheMeta()).rows
  }

  /** Total duplicates collapsed so far (the "N duplicates collapsed" figure). */
  async countDuplicates(): Promise<number> {
    return (await this.cacheMeta()).duplicates ?? 0
  }

  /** How many times the cached record `id` arrived again after it was stored (0 if never or not cached). */
  async duplicateCount(id: string): Promise<number> {
    const row = await this.rowOfId(id)
    if (row < 0) {
      return 0
    }
    const n = this.chunkOfRow(row)
    return (await this.chunkDuplicates.get(n))?.counts[row - this.chunkFirstRows[n]!] ?? 0
  }

  /** Chunks `from`, `from + 1`… (at most `limit`), with their bodies, in row order. */
  async readChunks(from: number, limit = 8): Promise<StoredChunk[]> {
    const meta = await this.cacheMeta()
    const to = Math.min(meta.chunks, from + limit)
    if (to <= from) {
      return []
    }
    const [columns, bodies] = await Promise.all([
      this.columns.where('n').between(from, to, true, false).toArray(),
      this.bodies.where('n').between(from, to, true, false).toArray()
    ])
    // Blob bodies (the browser shell's) have their raw texts read here, and packed columns are
    // decoded, a chunk at a time.
    const [decoded, resolved] = await Promise.all([
      Promise.all(columns.map(readColumns)),
      Promise.all(bodies.map(resolveBody))
    ])
    return decoded.map((c, i) => ({ columns: c, body: resolved[i]! }))
  }

  /** Records with `seq` greater than `afterSeq`, in `seq` order, whole chunks at a time. */
  async recordsAfter(afterSeq: number, limit = CHUNK): Promise<RecordRow[]> {
    const out: RecordRow[] = []
    const meta = await this.cacheMeta()
    let n = 0
    // Find the chunk holding row `afterSeq` (seq = row + 1).
    await this.syncLocator()
    if (afterSeq >= meta.rows) {
      return out
    }
    n = this.chunkOfRow(afterSeq)
    while (out.length < limit) {
      const [chunk] = await this.readChunks(n, 1)
      if (!chunk) {
        break
      }
      // Only the records asked for are decoded (a page of a big chunk need not decode it all).
      const first = Math.max(0, afterSeq - chunk.columns.firstRow)
      for (let i = first; i < chunk.columns.count && out.length < limit; i++) {
        const record = decodeRecord(chunk.columns, chunk.body, i)
        out.push({ ...record, seq: chunk.columns.firstRow + i + 1 })
      }
      n++
    }
    return out
  }

  /** One cached record by Id, or undefined. */
  async getRecord(id: string): Promise<RecordRow | undefined> {
    const row = await this.rowOfId(id)
    if (row < 0) {
      return undefined
    }
    const n = this.chunkOfRow(row)
    const [columns, body] = await Promise.all([this.columns.get(n), this.bodies.get(n)])
    if (!columns || !body) {
      return undefined
    }
    return {
      ...decodeRecord(await readColumns(columns), await resolveBody(body), row - columns.firstRow),
      seq: row + 1
    }
  }

  /** Records by Id, in the order asked (missing ones dropped). */
  async recordsByIds(ids: string[]): Promise<RecordRow[]> {
    const rows: RecordRow[] = []
    for (const id of ids) {
      const row = await this.getRecord(id)
      if (row) {
        rows.push(row)
      }
    }
    return rows
  }

  /** Ledger rows of one kind, optionally for one tenant. */
  ledger(kind: LedgerKind, tenantId?: string): Promise<LedgerRow[]> {
    const table = this[kind]
    return tenantId === undefined
      ? table.toArray()
      : table.where('tenantId').equals(tenantId).toArray()
  }

  /** Saved filters, by name. */
  listSavedFilters(): Promise<SavedFilterRow[]> {
    return this.savedFilters.orderBy('name').toArray()
  }

  /** Creates a saved filter; a name already in use is refused (the name index is unique). */
  async createSavedFilter(name: string, spec: unknown): Promise<SavedFilterRow> {
    const now = new Date().toISOString()
    const row: SavedFilterRow = {
      id: crypto.randomUUID(),
      name: name.trim(),
      spec,
      createdAt: now,
      updatedAt: now
    }
    await this.savedFilters.add(row)
    return row
  }

  /** Replaces what a saved filter holds. */
  async updateSavedFilter(id: string, spec: unknown): Promise<void> {
    await this.savedFilters.update(id, { spec, updatedAt: new Date().toISOString() })
  }

  /** Renames a saved filter; a name already in use is refused. */
  async renameSavedFilter(id: string, name: string): Promise<void> {
    await this.savedFilters.update(id, { name: name.trim(), updatedAt: new Date().toISOString() })
  }

  /** Deletes a saved filter. */
  async deleteSavedFilter(id: string): Promise<void> {
    await this.savedFilters.delete(id)
  }

  /** The annotation of one record, or an empty one. */
  async annotation(id: string): Promise<AnnotationRow> {
    return (await this.annotations.get(id)) ?? { id, tags: [], comment: '', updatedAt: '' }
  }

  /** Replaces the tags and comment of one record (an empty annotation is deleted). */
  async setAnnotation(id: string, tags: string[], comment: string): Promise<void> {
    const clean = normalizeTags(tags)
    if (clean.length === 0 && comment.trim() === '') {
      await this.annotations.delete(id)
    } else {
      await this.annotations.put({ id, tags: clean, comment, updatedAt: new Date().toISOString() })
    }
    this.announce({ type: 'annotations-changed', dbName: this.name, ids: [id] })
  }

  /** Adds one tag to many records in one transaction per chunk; returns how many changed. */
  async addTag(ids: string[], tag: string): Promise<number> {
    const clean = normalizeTags([tag])[0]
    if (clean === undefined) {
      return 0
    }
    let changed = 0
    const now = new Date().toISOString()
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK)
      await this.transaction('rw', this.annotations, async () => {
        const rows = await this.annotations.bulkGet(chunk)
        const puts: AnnotationRow[] = []
        chunk.forEach((id, j) => {
          const row = rows[j]
          if (!row) {
            puts.push({ id, tags: [clean], comment: '', updatedAt: now })
          } else if (!row.tags.includes(clean)) {
            puts.push({ ...row, tags: [...row.tags, clean], updatedAt: now })
          }
        })
        await this.annotations.bulkPut(puts)
        changed += puts.length
      })
    }
    this.announce({ type: 'annotations-changed', dbName: this.name, ids })
    return changed
  }

  /** Every tag in use, sorted. */
  async allTags(): Promise<string[]> {
    const keys = await this.annotations.orderBy('tags').uniqueKeys()
    return keys.map(String).sort((a, b) => a.localeCompare(b))
  }

  /** A non-secret setting of a profile ('' = app-wide), or `fallback`. */
  async getSetting<T>(profileId: string, name: string, fallback: T): Promise<T> {
    const row = await this.settings.get(settingKey(profileId, name))
    return row ? (row.value as T) : fallback
  }

  /** Writes a non-secret setting of a profile ('' = app-wide). */
  async putSetting(profileId: string, name: string, value: unknown): Promise<void> {
    await this.settings.put({ key: settingKey(profileId, name), profileId, name, value })
  }

  /**
   * Clears the cached records and what describes them — chunks, duplicate counts and the
   * completeness ledger (so the next sync fetches everything again) — in one transaction. Saved
   * filters, annotations and settings stay. The freed space shows in the storage estimate once
   * the browser has compacted its files.
   */
  async clearRecords(): Promise<void> {
    await this.transaction(
      'rw',
      [
        this.meta,
        this.columns,
        this.bodies,
        this.chunkIds,
        this.chunkDuplicates,
        this.windows,
        this.blobs,
        this.queries
      ],
      async () => {
        await Promise.all(
          [
            this.meta,
            this.columns,
            this.bodies,
            this.chunkIds,
            this.chunkDuplicates,
            this.windows,
            this.blobs,
            this.queries
          ].map((table) => table.clear())
        )
      }
    )
    this.forgetLocator()
    this.announce({ type: 'reset', dbName: this.name })
  }

  private forgetLocator(): void {
    this.locator = null
    this.locatorEpoch = undefined
    this.locatorChunks = 0
    this.chunkFirstRows = []
    this.idChunkCache.clear()
  }

  /** Empties every table (tests). */
  async reset(): Promise<void> {
    await this.transaction('rw', this.tables, async () => {
      await Promise.all(this.tables.map((table) => table.clear()))
    })
    this.forgetLocator()
    this.announce({ type: 'reset', dbName: this.name })
  }

  private announce(message: DbChannelMessage): void {
    if (typeof BroadcastChannel === 'undefined') {
      return
    }
    const channel = new BroadcastChannel(DB_CHANNEL_NAME)
    channel.postMessage(message)
    channel.close()
  }
}

const opened = new Map<string, AppDb>()

/** The app's database, opened once per name and shared by every caller. */
export function openAppDb(name: string = DEFAULT_DB_NAME): AppDb {
  let db = opened.get(name)
  if (!db) {
    db = new AppDb(name)
    opened.set(name, db)
  }
  return db
}
