import { Dexie, type DexieOptions, type Table } from 'dexie'

import type { LedgerBlob, LedgerQuery, LedgerWindow } from '../../../shared/acquisition'
import type { NormalizedRecord } from '../../../shared/audit'

/** The IndexedDB database name of the app (one per origin: app://explorer or the browser shell). */
export const DEFAULT_DB_NAME = 'connector-audit-explorer'

/**
 * The BroadcastChannel on which {@link AppDb.commitBatch} announces new records, so the Explorer's
 * query worker (another JavaScript context on the same origin) appends them without a reload.
 */
export const DB_CHANNEL_NAME = 'cax-db'

/** What {@link DB_CHANNEL_NAME} carries. */
export type DbChannelMessage =
  | { type: 'records-committed'; dbName: string; added: number }
  | { type: 'annotations-changed'; dbName: string; ids: string[] }
  | { type: 'reset'; dbName: string }

/**
 * One cached audit record: the normalized record (grid columns, flattened `fields`, `raw`) plus
 * `seq`, the order in which the cache first received it. The query worker loads rows by `seq`, so
 * records committed later are appended to its index without reading the others again.
 */
export interface RecordRow extends NormalizedRecord {
  seq: number
}

/** How many times a record Id arrived again after it was first stored (duplicates by design). */
export interface DuplicateRow {
  id: string
  count: number
}

/** Which ledger a ledger row belongs to. */
export type LedgerKind = 'windows' | 'blobs' | 'queries'

/** A ledger entry of src/shared/acquisition (window, content blob or Graph query). */
export type LedgerEntry = LedgerWindow | LedgerBlob | LedgerQuery

/**
 * One completeness-ledger entry (acquisition window, content blob or Graph query), stored as the
 * JSON entry of the acquisition model with the columns the cache needs to find it.
 */
export interface LedgerRow<E extends LedgerEntry = LedgerEntry> {
  key: string
  tenantId: string
  status: string
  entry: E
}

/** A named filter the user saved (see explorer/saved-filters.ts for the spec's shape). */
export interface SavedFilterRow {
  id: string
  name: string
  spec: unknown
  createdAt: string
  updatedAt: string
}

/** Tags and a comment an auditor attached to one record, keyed by the record Id. */
export interface AnnotationRow {
  id: string
  tags: string[]
  comment: string
  updatedAt: string
}

/** One non-secret setting of one profile (`profileId` '' for app-wide settings). */
export interface SettingRow {
  key: string
  profileId: string
  name: string
  value: unknown
}

/**
 * The ledger delta that travels with a batch of records (src/shared/acquisition's `LedgerDelta`
 * fits; every part is optional here).
 */
export interface LedgerDelta {
  windows?: readonly LedgerWindow[]
  blobs?: readonly LedgerBlob[]
  queries?: readonly LedgerQuery[]
}

/** An annotation carried by a snapshot import, with its record Id. */
export interface ImportedAnnotation {
  id: string
  tags: readonly string[]
  comment: string
}

/** What a commit changed. */
export interface CommitResult {
  /** Records stored for the first time. */
  new: number
  /** Records whose Id was already cached (or repeated within the batch): counted, not stored. */
  duplicates: number
}

const CHUNK = 2000

/**
 * The app's IndexedDB cache (STYLE.md rule 17): one typed Dexie class with a versioned schema.
 *
 * Schema rule: a released `version(n)` is NEVER edited in place — users' databases were created
 * from it. A change adds `version(n + 1)` with the new stores and an `upgrade()` whose comment says
 * why (derived columns can always be rebuilt from `raw`).
 */
export class AppDb extends Dexie {
  declare records: Table<RecordRow, string>
  declare duplicates: Table<DuplicateRow, string>
  declare windows: Table<LedgerRow<LedgerWindow>, string>
  declare blobs: Table<LedgerRow<LedgerBlob>, string>
  declare queries: Table<LedgerRow<LedgerQuery>, string>
  declare savedFilters: Table<SavedFilterRow, string>
  declare annotations: Table<AnnotationRow, string>
  declare settings: Table<SettingRow, string>

  constructor(name: string = DEFAULT_DB_NAME, options?: DexieOptions) {
    super(name, options)
    // v1 (first release). Never change this line; add version(2) instead.
    this.version(1).stores({
      records: 'id, &seq, createdAtMs, organizationId, operation',
      duplicates: 'id',
      windows: 'key, tenantId, status',
      blobs: 'key, tenantId, status',
      queries: 'key, tenantId, status',
      savedFilters: 'id, &name, updatedAt',
      annotations: 'id, *tags, updatedAt',
      settings: 'key, profileId'
    })
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
    const result = await this.transaction(
      'rw',
      [this.records, this.duplicates, this.windows, this.blobs, this.queries, this.annotations],
      async () => {
        const last = await this.records.orderBy('seq').last()
        let seq = last ? last.seq + 1 : 1
        const ids = [...new Set(records.map((r) => r.id))]
        const existing = await this.records.bulkGet(ids)
        const known = new Set<string>()
        ids.forEach((id, i) => {
          if (existing[i]) {
            known.add(id)
          }
        })
        const fresh: RecordRow[] = []
        const repeats = new Map<string, number>()
        for (const record of records) {
          if (known.has(record.id)) {
            repeats.set(record.id, (repeats.get(record.id) ?? 0) + 1)
          } else {
            known.add(record.id)
            fresh.push({ ...record, seq: seq++ })
          }
        }
        await this.records.bulkAdd(fresh)
        if (repeats.size > 0) {
          const repeatIds = [...repeats.keys()]
          const counts = await this.duplicates.bulkGet(repeatIds)
          await this.duplicates.bulkPut(
            repeatIds.map((id, i) => ({
              id,
              count: (counts[i]?.count ?? 0) + (repeats.get(id) ?? 0)
            }))
          )
        }
        await this.windows.bulkPut((ledger.windows ?? []).map(toLedgerRow))
        await this.blobs.bulkPut((ledger.blobs ?? []).map(toLedgerRow))
        await this.queries.bulkPut((ledger.queries ?? []).map(toLedgerRow))
        if (annotations.length > 0) {
          await this.mergeAnnotations(annotations)
        }
        let duplicates = 0
        repeats.forEach((n) => (duplicates += n))
        return { new: fresh.length, duplicates }
      }
    )
    if (result.new > 0) {
      this.announce({ type: 'records-committed', dbName: this.name, added: result.new })
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
  countRecords(): Promise<number> {
    return this.records.count()
  }

  /** Total duplicates collapsed so far (the "N duplicates collapsed" figure). */
  async countDuplicates(): Promise<number> {
    let total = 0
    await this.duplicates.each((row) => (total += row.count))
    return total
  }

  /** Records with `seq` greater than `afterSeq`, in `seq` order (the worker's loading chunks). */
  recordsAfter(afterSeq: number, limit = CHUNK): Promise<RecordRow[]> {
    return this.records.where('seq').above(afterSeq).limit(limit).toArray()
  }

  /** Records by Id, in the order asked (missing ones dropped). */
  async recordsByIds(ids: string[]): Promise<RecordRow[]> {
    const rows = await this.records.bulkGet(ids)
    return rows.filter((row): row is RecordRow => row !== undefined)
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

  /** Empties every table (tests, and "clear cache"). */
  async reset(): Promise<void> {
    await this.transaction('rw', this.tables, async () => {
      await Promise.all(this.tables.map((table) => table.clear()))
    })
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

/** Trims tags, drops empty ones and repeats. */
export function normalizeTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((t) => t.trim()).filter((t) => t !== ''))]
}

function settingKey(profileId: string, name: string): string {
  return `${profileId}:${name}`
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

/**
 * A ledger entry as a row. The entry's own `key` (or `id`, `contentId`, `queryId`) is the key;
 * an entry without one is keyed by its JSON text so it is still stored exactly once.
 */
export function toLedgerRow<E extends LedgerEntry>(entry: E): LedgerRow<E> {
  const obj = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>
  const key =
    text(obj['key']) ??
    text(obj['id']) ??
    text(obj['contentId']) ??
    text(obj['queryId']) ??
    JSON.stringify(entry)
  return {
    key,
    tenantId: text(obj['tenantId']) ?? '',
    status: text(obj['status']) ?? '',
    entry
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
