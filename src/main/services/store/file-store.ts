/**
 * The CLI's crash-safe local store: a folder holding the records (append-only NDJSON of
 * NormalizedRecord), a per-Id duplicate count and the completeness ledger.
 *
 * Layout and commit protocol (one batch):
 *  1. new records are appended to `records.ndjson` and their Ids to `ids.txt`, both fsynced;
 *  2. one line is appended to `journal.ndjson` — `{seq, recordsBytes, idsBytes, dups, delta}` —
 *     and fsynced: this is the commit point;
 *  3. from time to time (and on close) `ledger.json` and `duplicates.json` are replaced atomically
 *     (write, fsync, rename), never before the batches they describe are durable, and the journal
 *     is compacted to one checkpoint line.
 * Opening recovers from a crash at any point: a torn journal line is cut, bytes of records and
 * Ids past the last commit are cut (a torn last line or a batch that never committed), journal
 * entries newer than the ledger and duplicate files are replayed, and the Id index is rebuilt. So
 * nothing committed is lost and nothing is stored or counted twice.
 */
import { closeSync, createReadStream, existsSync, fsyncSync, openSync } from 'node:fs'
import { mkdir, open, readFile, rename, rm, stat, truncate, writeFile } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

import { z } from 'zod'

import {
  LedgerDeltaSchema,
  LedgerSchema,
  applyDelta,
  emptyDelta,
  emptyLedger
} from '../../../shared/acquisition'
import type { Ledger, LedgerDelta } from '../../../shared/acquisition'
import type { NormalizedRecord } from '../../../shared/audit'
import type { RecordSink } from '../acquisition/types'
import type { SeenIds } from '../import/import-types'

import { encodeRecords, pickEncoded, restoreRecord } from './encoded-records'
import type { EncodedRecords } from './encoded-records'
import { IdIndex } from './id-index'

const STORE_VERSION = 1
const RECORDS = 'records.ndjson'
const IDS = 'ids.txt'
const JOURNAL = 'journal.ndjson'
const LEDGER = 'ledger.json'
const DUPLICATES = 'duplicates.json'
const LOCK = 'lock'
/** Modes for what the store creates: its owner only, where the OS honours them. */
const OWNER_ONLY_DIR = 0o700
const OWNER_ONLY_FILE = 0o600

const JournalEntrySchema = z.object({
  seq: z.number().int().nonnegative(),
  recordsBytes: z.number().int().nonnegative(),
  idsBytes: z.number().int().nonnegative(),
  /** Duplicate-count increments of this batch. */
  dups: z.record(z.string(), z.number().int().positive()).optional(),
  delta: LedgerDeltaSchema.optional(),
  /** A compaction line: everything up to seq is in ledger.json / duplicates.json. */
  checkpoint: z.boolean().optional()
})
type JournalEntry = z.infer<typeof JournalEntrySchema>

const LedgerFileSchema = z.object({
  version: z.literal(STORE_VERSION),
  seq: z.number().int().nonnegative(),
  ledger: LedgerSchema
})
const DuplicatesFileSchema = z.object({
  version: z.literal(STORE_VERSION),
  seq: z.number().int().nonnegative(),
  counts: z.record(z.string(), z.number().int().positive())
})

/** What {@link FileStore.open} repaired. */
export interface RecoveryReport {
  /** Bytes cut from the end of records.ndjson (a torn line or an uncommitted batch). */
  recordBytesCut: number
  /** A torn journal line was cut. */
  isJournalRepaired: boolean
  /** Journal batches replayed into the ledger. */
  batchesReplayed: number
}

/** Options of {@link FileStore.open}. */
export interface FileStoreOptions {
  /** Replace ledger.json at most this often while committing (default 2,000 ms; 0 = every batch). */
  checkpointEveryMs?: number
  /** The clock for checkpoint timing (default real time). */
  now?: () => number
}

/** An error about the store folder, with a readable message. */
export class StoreError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'StoreError'
  }
}

/** The crash-safe folder store; implements {@link RecordSink}. Open with {@link FileStore.open}. */
export class FileStore implements RecordSink {
  /** Stored Ids, compact (64-bit hashes; see {@link IdIndex} for the bound). */
  private readonly ids = new IdIndex()
  private readonly dupCounts = new Map<string, number>()
  /** Repeats of stored Ids an import session collapsed, journaled with the next commit. */
  private carriedDups = new Map<string, number>()
  private state: Ledger = emptyLedger()
  private seq = 0
  private checkpointSeq = 0
  private recordsBytes = 0
  private idsBytes = 0
  private lastCheckpoint = 0
  private chain: Promise<unknown> = Promise.resolve()
  private isClosed = false
  private records$: FileHandle | undefined
  private ids$: FileHandle | undefined
  private journal$: FileHandle | undefined
  /** What opening repaired. */
  recovery: RecoveryReport = { recordBytesCut: 0, isJournalRepaired: false, batchesReplayed: 0 }

  private constructor(
    readonly dir: string,
    private readonly options: FileStoreOptions
  ) {}

  /** Opens (creating if needed) a store folder and recovers it from any crash. */
  static async open(dir: string, options: FileStoreOptions = {}): Promise<FileStore> {
    // Audit records are sensitive: the store is readable by its owner only (issue 10 item 8).
    await mkdir(dir, { recursive: true, mode: OWNER_ONLY_DIR })
    const store = new FileStore(dir, options)
    await store.lock()
    try {
      await store.recover()
    } catch (error) {
      await store.unlock()
      throw error
    }
    return store
  }

  private path(name: string): string {
    return join(this.dir, name)
  }

  private async lock(): Promise<void> {
    const file = this.path(LOCK)
    for (let i = 0; i < 2; i++) {
      try {
        await writeFile(file, String(process.pid), { flag: 'wx', mode: OWNER_ONLY_FILE })
        return
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new StoreError(`Cannot lock the store ${this.dir}: ${(error as Error).message}`)
        }
        const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim())
        if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
          throw new StoreError(`The store ${this.dir} is in use by process ${pid}.`)
        }
        // A lock left by a process that died (a crash): take it over.
        await rm(file, { force: true })
      }
    }
    throw new StoreError(`Cannot lock the store ${this.dir}.`)
  }

  private async unlock(): Promise<void> {
    await rm(this.path(LOCK), { force: true })
  }

  private async recover(): Promise<void> {
    // 1. The last checkpoint of the ledger and the duplicate counts.
    let ledgerSeq = 0
    let dupSeq = 0
    const ledgerText = await readFile(this.path(LEDGER), 'utf8').catch(() => null)
    if (ledgerText !== null) {
      const parsed = LedgerFileSchema.safeParse(safeJson(ledgerText))
      if (!parsed.success) {
        throw new StoreError(
          `${this.path(LEDGER)} is unreadable: ${parsed.error.message.slice(0, 300)}`
        )
      }
      this.state = parsed.data.ledger
      ledgerSeq = parsed.data.seq
    }
    const dupText = await readFile(this.path(DUPLICATES), 'utf8').catch(() => null)
    if (dupText !== null) {
      const parsed = DuplicatesFileSchema.safeParse(safeJson(dupText))
      if (!parsed.success) {
        throw new StoreError(
          `${this.path(DUPLICATES)} is unreadable: ${parsed.error.message.slice(0, 300)}`
        )
      }
      for (const [id, n] of Object.entries(parsed.data.counts)) {
        this.dupCounts.set(id, n)
      }
      dupSeq = parsed.data.seq
    }
    // 2. The journal: every complete line; a torn last line is cut.
    const journalText = await readFile(this.path(JOURNAL), 'utf8').catch(() => '')
    let goodBytes = 0
    let last: JournalEntry | undefined
    const parts = journalText.split('\n')
    // The piece after the last newline is '' or a torn line; it is never read.
    for (const line of parts.slice(0, -1)) {
      const parsed = line === '' ? null : JournalEntrySchema.safeParse(safeJson(line))
      if (parsed && !parsed.success) {
        break
      }
      goodBytes += Buffer.byteLength(line) + 1
      if (!parsed) {
        continue
      }
      const entry = parsed.data
      if (!entry.checkpoint) {
        if (entry.delta && entry.seq > ledgerSeq) {
          applyDelta(this.state, entry.delta)
          this.recovery.batchesReplayed++
        }
        if (entry.dups && entry.seq > dupSeq) {
          for (const [id, n] of Object.entries(entry.dups)) {
            this.dupCounts.set(id, (this.dupCounts.get(id) ?? 0) + n)
          }
        }
      }
      last = entry
    }
    const journalBytes = Buffer.byteLength(journalText)
    if (goodBytes < journalBytes) {
      this.recovery.isJournalRepaired = true
      await truncate(this.path(JOURNAL), goodBytes)
    }
    this.seq = Math.max(last?.seq ?? 0, ledgerSeq)
    this.recordsBytes = last?.recordsBytes ?? 0
    this.idsBytes = last?.idsBytes ?? 0
    if (!last && (ledgerSeq > 0 || existsSync(this.path(RECORDS)))) {
      const size = await fileSize(this.path(RECORDS))
      if (size > 0 && ledgerSeq > 0) {
        throw new StoreError(
          `${this.path(JOURNAL)} is missing: the store cannot tell which records were committed.`
        )
      }
    }
    // 3. Cut records and Ids past the last commit (torn line, or a batch that never committed).
    const recordsSize = await fileSize(this.path(RECORDS))
    if (recordsSize < this.recordsBytes) {
      throw new StoreError(
        `${this.path(RECORDS)} is shorter (${recordsSize} bytes) than committed (${this.recordsBytes}): records were lost outside the store.`
      )
    }
    if (recordsSize > this.recordsBytes) {
      this.recovery.recordBytesCut = recordsSize - this.recordsBytes
      await truncate(this.path(RECORDS), this.recordsBytes)
    }
    const idsSize = await fileSize(this.path(IDS))
    if (idsSize < this.idsBytes) {
      await this.rebuildIdsFile()
    } else if (idsSize > this.idsBytes) {
      await truncate(this.path(IDS), this.idsBytes)
    }
    // 4. The Id index, read line by line (the file is never held whole).
    if (existsSync(this.path(IDS))) {
      const lines = createInterface({
        input: createReadStream(this.path(IDS), { encoding: 'utf8' }),
        crlfDelay: Infinity
      })
      for await (const id of lines) {
        if (id !== '') {
          this.ids.add(id)
        }
      }
    }
    this.records$ = await open(this.path(RECORDS), 'a', OWNER_ONLY_FILE)
    this.ids$ = await open(this.path(IDS), 'a', OWNER_ONLY_FILE)
    this.journal$ = await open(this.path(JOURNAL), 'a', OWNER_ONLY_FILE)
    this.checkpointSeq = this.recovery.batchesReplayed > 0 ? -1 : ledgerSeq
    await this.checkpoint(true)
    this.lastCheckpoint = (this.options.now ?? Date.now)()
  }

  /** Rebuilds ids.txt from the committed records (it was lost or cut short). */
  private async rebuildIdsFile(): Promise<void> {
    const ids: string[] = []
    for await (const r of this.records()) {
      ids.push(r.id)
    }
    const text = ids.map((id) => `${id}\n`).join('')
    await writeDurable(this.path(IDS), text)
    this.idsBytes = Buffer.byteLength(text)
  }

  /** Stores a batch: new Ids appended, repeats counted. Commits are serialized. */
  commit(batch: { records: NormalizedRecord[]; ledger: LedgerDelta }): Promise<{
    new: number
    duplicates: number
  }> {
    return this.commitEncoded({ records: encodeRecords(batch.records), ledger: batch.ledger })
  }

  /**
   * {@link commit} for records already serialized (an import's or a sync's workers made the
   * JSON of each NormalizedRecord): the store writes the text as it is.
   */
  commitEncoded(batch: { records: EncodedRecords; ledger: LedgerDelta }): Promise<{
    new: number
    duplicates: number
  }> {
    const next = this.chain.then(() => this.commitNow(batch))
    this.chain = next.catch(() => undefined)
    return next
  }

  private async commitNow(batch: {
    records: EncodedRecords
    ledger: LedgerDelta
  }): Promise<{ new: number; duplicates: number }> {
    if (this.isClosed || !this.records$ || !this.ids$ || !this.journal$) {
      throw new StoreError('The store is closed.')
    }
    const seenNow = new Set<string>()
    const dups: Record<string, number> = {}
    let dupCount = 0
    const fresh = pickEncoded(batch.records, (i) => {
      const id = batch.records.ids[i] ?? ''
      if (this.ids.has(id) || seenNow.has(id)) {
        dups[id] = (dups[id] ?? 0) + 1
        dupCount++
        return false
      }
      seenNow.add(id)
      return true
    })
    if (fresh.ids.length > 0) {
      const idText = `${fresh.ids.join('\n')}\n`
      await this.records$.appendFile(fresh.ndjson)
      await this.ids$.appendFile(idText)
      await Promise.all([this.records$.datasync(), this.ids$.datasync()])
      this.recordsBytes += fresh.ndjson.byteLength
      this.idsBytes += Buffer.byteLength(idText)
    }
    // Repeats an import session collapsed before they reached a batch (see importSession).
    const carried = this.carriedDups
    for (const [id, n] of carried) {
      dups[id] = (dups[id] ?? 0) + n
    }
    const seq = this.seq + 1
    const entry: JournalEntry = {
      seq,
      recordsBytes: this.recordsBytes,
      idsBytes: this.idsBytes,
      ...(Object.keys(dups).length > 0 ? { dups } : {}),
      delta: batch.ledger
    }
    await this.journal$.appendFile(`${JSON.stringify(entry)}\n`)
    await this.journal$.datasync()
    if (carried.size > 0) {
      this.carriedDups = new Map()
    }
    // Committed: now the in-memory view.
    this.seq = seq
    for (const id of fresh.ids) {
      this.ids.add(id)
    }
    for (const [id, n] of Object.entries(dups)) {
      this.dupCounts.set(id, (this.dupCounts.get(id) ?? 0) + n)
    }
    applyDelta(this.state, structuredClone(batch.ledger))
    await this.checkpoint(false)
    return { new: fresh.ids.length, duplicates: dupCount }
  }

  /**
   * The store's Id index as an importer's {@link SeenIds}, so an import keeps one Id set, not
   * two. The first sighting of an Id is `new` (claimed; the commit of its batch stores it); a
   * repeat within the session is `duplicate` or `conflict` by content hash; an Id stored before
   * is `duplicate`, and counted in {@link duplicateCounts} with the next commit, as committing
   * it would have. Call `end()` when the import stops (also after a failure): claims whose
   * batch was never committed are forgotten.
   */
  importSession(): SeenIds & { end(): Promise<void> } {
    const ids = this.ids
    return {
      get size(): number {
        return ids.size
      },
      remember: (id, contentHash) => {
        const verdict = ids.claim(id, contentHash)
        if (verdict === 'stored') {
          this.carriedDups.set(id, (this.carriedDups.get(id) ?? 0) + 1)
          return 'duplicate'
        }
        return verdict
      },
      end: async () => {
        if (this.carriedDups.size > 0 && !this.isClosed) {
          await this.commit({ records: [], ledger: emptyDelta() })
        }
        await this.chain
        ids.endSession()
      }
    }
  }

  /** Replaces ledger.json and duplicates.json (when due) and compacts the journal. */
  private async checkpoint(force: boolean): Promise<void> {
    const now = (this.options.now ?? Date.now)()
    const every = this.options.checkpointEveryMs ?? 2000
    if (!force && (this.checkpointSeq === this.seq || now - this.lastCheckpoint < every)) {
      return
    }
    if (force && this.checkpointSeq === this.seq) {
      return
    }
    this.lastCheckpoint = now
    await writeDurable(
      this.path(DUPLICATES),
      JSON.stringify({
        version: STORE_VERSION,
        seq: this.seq,
        counts: Object.fromEntries(this.dupCounts)
      })
    )
    await writeDurable(
      this.path(LEDGER),
      JSON.stringify({ version: STORE_VERSION, seq: this.seq, ledger: this.state })
    )
    // Compact: one line saying where the committed bytes end.
    const line: JournalEntry = {
      seq: this.seq,
      recordsBytes: this.recordsBytes,
      idsBytes: this.idsBytes,
      checkpoint: true
    }
    await this.journal$?.close()
    await writeDurable(this.path(JOURNAL), `${JSON.stringify(line)}\n`)
    this.journal$ = await open(this.path(JOURNAL), 'a', OWNER_ONLY_FILE)
    this.checkpointSeq = this.seq
    syncDir(this.dir)
  }

  /** A copy of the ledger as committed. */
  async loadLedger(): Promise<Ledger> {
    await this.chain
    return structuredClone(this.state)
  }

  /** A copy of the ledger as committed (alias of {@link loadLedger}). */
  ledger(): Promise<Ledger> {
    return this.loadLedger()
  }

  /** How many times each Id was seen again after it was stored. */
  duplicateCounts(): ReadonlyMap<string, number> {
    return new Map(this.dupCounts)
  }

  /** Number of stored (unique) records. */
  get size(): number {
    return this.ids.size
  }

  /** Every stored record, in the order stored. */
  async *records(): AsyncIterable<NormalizedRecord> {
    if (this.recordsBytes === 0) {
      return
    }
    const stream = createReadStream(this.path(RECORDS), {
      encoding: 'utf8',
      start: 0,
      end: this.recordsBytes - 1
    })
    const lines = createInterface({ input: stream, crlfDelay: Infinity })
    let n = 0
    for await (const line of lines) {
      n++
      if (line === '') {
        continue
      }
      try {
        yield restoreRecord(JSON.parse(line) as NormalizedRecord)
      } catch {
        throw new StoreError(
          `${this.path(RECORDS)} line ${n} is not valid JSON: the store is damaged.`
        )
      }
    }
  }

  /** Writes the final checkpoint and releases the folder. */
  async close(): Promise<void> {
    if (this.isClosed) {
      return
    }
    await this.chain
    await this.checkpoint(true)
    this.isClosed = true
    await Promise.all([this.records$?.close(), this.ids$?.close(), this.journal$?.close()])
    await this.unlock()
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size
  } catch {
    return 0
  }
}

/** Writes a file atomically: a temporary file, fsync, rename over the old one. */
async function writeDurable(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp`
  const handle = await open(tmp, 'w', OWNER_ONLY_FILE)
  try {
    await handle.writeFile(text)
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(tmp, path)
}

/** Makes renames in a folder durable (POSIX); a no-op where folders cannot be opened. */
function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r')
    try {
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
  } catch {
    // Windows cannot open a folder; NTFS renames are journaled.
  }
}
