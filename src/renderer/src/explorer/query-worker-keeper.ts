/**
 * The window's one query worker per open cache, kept for the window's whole life (issues 11 and
 * 13): started while the page boots when the window opens on the Explorer (early.ts), or by the
 * first commit of an import or sync, taken by the Explorer on mount and handed back on unmount,
 * never stopped when the Explorer is not shown. Meanwhile it follows every commit: the chunks
 * this window commits are handed to it from memory (AppDb.onDidCommitChunks), other windows'
 * commits reach it on the cache's BroadcastChannel (query-worker.ts). So the Explorer shown after
 * an import or a sync done elsewhere is ready at once, with nothing read back from IndexedDB.
 */
import { isPackedColumns, type StoredColumns } from '../../../shared/cache/stored-chunk'
import type { CommittedChunks } from '../db/cache-types'

import { startQueryWorker, type QueryClient } from './query-client'
import type { LoadProgress } from './query-types'

/** The worker the Explorer takes, with the last progress it reported (null before any). */
export interface KeptQueryWorker {
  client: QueryClient
  progress: LoadProgress | null
}

/** What the keeper needs of the cache: its commits (AppDb). */
export interface CommitSource {
  /** Names this source in its commits and broadcasts. */
  readonly writerId: string
  onDidCommitChunks(listener: (committed: CommittedChunks) => void): () => void
}

interface Kept extends KeptQueryWorker {
  dbName: string
  stopFollowing: () => void
  /** Hand-overs sent and not answered yet. */
  appending: number
}

/** Keeps one query worker, for one cache at a time. `start` is for tests. */
export class QueryWorkerKeeper {
  private kept: Kept | null = null
  /** The AppDb whose commits are handed over ({@link follow}). */
  private writer: string | null = null

  constructor(private readonly start: () => QueryClient = startQueryWorker) {}

  /**
   * Starts the worker of cache `dbName` and opens the cache in it, unless it runs already, so
   * the first rows are read by the time the Explorer mounts. A worker of another cache is
   * stopped.
   */
  prestart(dbName: string): void {
    this.keep(dbName)
  }

  /** The worker of cache `dbName` for the Explorer that mounts: the kept one, or a new one. */
  take(dbName: string): KeptQueryWorker {
    const { client, progress, appending } = this.keep(dbName)
    // Chunks on their way to the worker: what it has loaded is not the whole cache yet (the
    // Explorer's open request, answered after them, says when it is).
    return {
      client,
      progress: progress && appending > 0 ? { ...progress, isDone: false } : progress
    }
  }

  /**
   * The Explorer unmounts: its worker stays, following commits, for the next mount. A worker
   * that is no longer the kept one (another cache was opened meanwhile) is stopped.
   */
  giveBack(client: QueryClient): void {
    if (this.kept?.client !== client) {
      client.dispose()
    }
  }

  /**
   * Hands every chunk `db` commits to the worker of its cache (starting one if none runs: the
   * Explorer shown after the import is then ready). Returns the unsubscribe.
   */
  follow(db: CommitSource): () => void {
    this.writer = db.writerId
    if (this.kept) {
      this.tellWriter(this.kept)
    }
    const stop = db.onDidCommitChunks(({ dbName, epoch, chunks }) => {
      const kept = this.keep(dbName)
      kept.appending++
      kept.client
        .request({ type: 'append', dbName, epoch, chunks: chunks.map(ownedColumns) })
        .then(
          (progress) => (kept.progress = progress),
          // The worker skips this writer's broadcasts: if the hand-over failed (a stopped worker
          // rejects too, harmlessly), it reads what IndexedDB holds instead.
          () =>
            kept.client.request({ type: 'refresh' }).then(
              (progress) => (kept.progress = progress),
              () => undefined
            )
        )
        .finally(() => kept.appending--)
    })
    return () => {
      stop()
      if (this.writer === db.writerId) {
        this.writer = null
      }
    }
  }

  /** Tells the worker whose commits are handed over (it skips their broadcasts). */
  private tellWriter(kept: Kept): void {
    if (this.writer !== null) {
      kept.client.request({ type: 'hand-over-from', writer: this.writer }).catch(() => undefined)
    }
  }

  /** Stops the kept worker (the window could not start); harmless when none runs. */
  discard(): void {
    const left = this.kept
    this.kept = null
    left?.stopFollowing()
    left?.client.dispose()
  }

  private keep(dbName: string): Kept {
    if (this.kept?.dbName === dbName) {
      return this.kept
    }
    this.discard()
    const client = this.start()
    const kept: Kept = { dbName, client, progress: null, stopFollowing: () => {}, appending: 0 }
    kept.stopFollowing = client.onDidChange((_event, progress) => (kept.progress = progress))
    client.request({ type: 'open', dbName }).then(
      (progress) => (kept.progress = progress),
      // The Explorer's own open request reports the error.
      () => undefined
    )
    this.tellWriter(kept)
    this.kept = kept
    return kept
  }
}

type TypedArray = Float64Array | Uint32Array | Uint16Array | Uint8Array

/** `array` itself when it owns its whole buffer, else a copy that does. */
function owned<T extends TypedArray>(array: T): T {
  return array.byteOffset === 0 && array.byteLength === array.buffer.byteLength
    ? array
    : (array.slice() as T)
}

/**
 * A column chunk whose typed arrays each own their whole buffer. Posting a typed-array view
 * clones its whole backing buffer: a section viewing a packed chunk would carry the chunk's raw
 * text into the worker and keep it there. Packed columns go as they are (a Blob, or bytes that
 * own their buffer: stored-chunk.ts); the worker decodes them.
 */
export function ownedColumns(chunk: StoredColumns): StoredColumns {
  if (isPackedColumns(chunk)) {
    return chunk
  }
  return {
    ...chunk,
    times: owned(chunk.times),
    poolStarts: owned(chunk.poolStarts),
    codes: owned(chunk.codes),
    recordType: owned(chunk.recordType),
    userType: owned(chunk.userType),
    flags: owned(chunk.flags),
    pairStart: owned(chunk.pairStart),
    pairKey: owned(chunk.pairKey),
    pairValue: owned(chunk.pairValue)
  }
}

/** The window's keeper (early.ts starts its worker, the Explorer takes it, App follows commits). */
export const queryWorkers = new QueryWorkerKeeper()
