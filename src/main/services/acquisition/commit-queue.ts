/**
 * Group commit for the sync engine: parts (the records of one blob, a ledger update) are queued
 * and handed to the sink as few, large batches, one at a time. While a batch is being committed
 * the next one fills up, so a slow sink gets bigger batches instead of more round trips, and a
 * fast one gets its first records at once. Every batch carries its parts' ledger deltas, so a
 * crash still leaves records and ledger consistent (the sink commits each batch in one go).
 *
 * A part's own split of new and duplicate records is worked out from the batch's totals: repeats
 * inside the batch and Ids this run already committed are duplicates by the sink's rules; what
 * the sink counts as duplicates beyond those (records cached by an earlier run) is attributed to
 * the batch's parts in order. The batch totals are always the sink's own.
 */
import { applyDelta, emptyDelta } from '../../../shared/acquisition'
import type { Ledger, LedgerDelta } from '../../../shared/acquisition'
import type { NormalizedRecord } from '../../../shared/audit'
import { decodeRecords, type EncodedRecords } from '../store/encoded-records'

/** Records as objects, or serialized the way stores keep them (a sink with commitEncoded). */
export type QueuedRecords = NormalizedRecord[] | EncodedRecords

function idsOf(records: QueuedRecords): string[] {
  return Array.isArray(records) ? records.map((r) => r.id) : records.ids
}

function sizeOf(records: QueuedRecords): number {
  return Array.isArray(records) ? records.length : records.ids.length
}

/** One batch from several parts' records (objects stay objects, serialized stay serialized). */
export function concatRecords(parts: readonly QueuedRecords[]): QueuedRecords {
  const filled = parts.filter((p) => sizeOf(p) > 0)
  if (filled.length === 0) {
    return []
  }
  if (filled.length === 1) {
    return filled[0]!
  }
  if (filled.every((p) => Array.isArray(p))) {
    return (filled as NormalizedRecord[][]).flat()
  }
  if (filled.some((p) => Array.isArray(p))) {
    // Not produced by one run (a run uses one form); kept correct rather than fast.
    return filled.flatMap((p) => (Array.isArray(p) ? p : decodeRecords(p)))
  }
  const encoded = filled as EncodedRecords[]
  const total = encoded.reduce((n, p) => n + p.ndjson.length, 0)
  const ndjson = new Uint8Array(new ArrayBuffer(total))
  const ids: string[] = []
  const offsets: number[] = []
  let at = 0
  for (const part of encoded) {
    ndjson.set(part.ndjson, at)
    for (let i = 0; i < part.ids.length; i++) {
      ids.push(part.ids[i]!)
      offsets.push(at + (part.offsets[i] ?? 0))
    }
    at += part.ndjson.length
  }
  offsets.push(at)
  return { ids, ndjson, offsets }
}

/** New and duplicate records, as the sink counts them. */
export interface CommitCounts {
  new: number
  duplicates: number
}

/** Options of a {@link CommitQueue}. */
export interface CommitQueueOptions {
  /** Commits one batch (the sink), resolving with its counts. */
  sink: (records: QueuedRecords, delta: LedgerDelta) => Promise<CommitCounts>
  /** The engine's ledger: each committed batch's delta is applied to it. */
  ledger: Ledger
  /** Most records per batch (a single larger part still goes whole). */
  batchSize: number
  /** Queued records above which {@link CommitQueue.add} waits (back-pressure). */
  highWater: number
  /**
   * Batches handed to the sink before the first is answered (default 1). More than one only for
   * a sink that commits them in order and refuses the rest once one fails (the app window does).
   */
  maxInFlight?: number
  /**
   * Called as a batch is formed, when every earlier batch has been answered: may complete the
   * merged delta with what those answers taught (e.g. blobs' new/duplicate counts).
   */
  prepare?: (delta: LedgerDelta) => LedgerDelta
  /** Called after every committed batch with its totals. */
  onBatch?: (counts: CommitCounts) => void
}

interface Part {
  records: QueuedRecords
  delta: LedgerDelta
  onCommitted: ((counts: CommitCounts) => void) | undefined
  resolve: (counts: CommitCounts) => void
  reject: (error: unknown) => void
}

/** How many Ids of this run are remembered to tell repeats apart (two generations). */
const SEEN_GENERATION = 100_000

/** Queues parts and commits them in batches, answered in order. */
export class CommitQueue {
  private readonly queue: Part[] = []
  private queuedRecords = 0
  private inFlight = 0
  /** Settles when the latest batch sent has been answered and accounted for. */
  private settled: Promise<void> = Promise.resolve()
  private failure: { error: unknown } | null = null
  private readonly roomWaiters: Array<() => void> = []
  private seen = new Set<string>()
  private seenBefore = new Set<string>()

  constructor(private readonly options: CommitQueueOptions) {}

  /**
   * Queues a part and resolves with its own counts once its batch is committed; rejects when that
   * batch fails. Does not wait for room: use {@link add} in loops that produce many parts.
   */
  commit(
    records: QueuedRecords,
    delta: LedgerDelta,
    onCommitted?: (counts: CommitCounts) => void
  ): Promise<CommitCounts> {
    if (this.failure) {
      return Promise.reject(this.failure.error)
    }
    const counts = new Promise<CommitCounts>((resolve, reject) => {
      this.queue.push({ records, delta, onCommitted, resolve, reject })
    })
    this.queuedRecords += sizeOf(records)
    this.pump()
    return counts
  }

  /**
   * Queues a part and resolves once there is room for more (back-pressure), without waiting for
   * the commit; `onCommitted` gets the part's counts as soon as its batch is answered (before the
   * next batch is formed). A failed batch makes later calls throw.
   */
  async add(
    records: QueuedRecords,
    delta: LedgerDelta,
    onCommitted?: (counts: CommitCounts) => void
  ): Promise<void> {
    this.commit(records, delta, onCommitted).catch(() => undefined)
    while (this.queuedRecords > this.options.highWater && !this.failure) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve))
    }
    if (this.failure) {
      throw this.failure.error
    }
  }

  /** Waits until everything queued so far is committed; throws the first failure. */
  async drain(): Promise<void> {
    while (this.inFlight > 0 || this.queue.length > 0) {
      if (this.failure) {
        break
      }
      this.pump()
      await this.settled
    }
    if (this.failure) {
      throw this.failure.error
    }
  }

  private pump(): void {
    while (
      this.inFlight < (this.options.maxInFlight ?? 1) &&
      this.queue.length > 0 &&
      !this.failure
    ) {
      const parts: Part[] = []
      let size = 0
      while (this.queue.length > 0) {
        const next = this.queue[0]!
        if (parts.length > 0 && size + sizeOf(next.records) > this.options.batchSize) {
          break
        }
        parts.push(this.queue.shift()!)
        size += sizeOf(next.records)
      }
      this.queuedRecords -= size
      this.inFlight++
      const previous = this.settled
      this.settled = this.send(parts, previous).finally(() => {
        this.inFlight--
        this.pump()
        this.wakeWaiters()
      })
    }
  }

  private async send(parts: Part[], previous: Promise<void>): Promise<void> {
    const records =
      parts.length === 1 ? parts[0]!.records : concatRecords(parts.map((p) => p.records))
    const merged = mergeDeltas(parts.map((p) => p.delta))
    const delta = this.options.prepare ? this.options.prepare(merged) : merged
    const answer = this.options.sink(records, delta).then(
      (counts) => ({ counts }),
      (error: unknown) => ({ error })
    )
    // Answers are accounted for in the order the batches were sent.
    const [result] = await Promise.all([answer, previous])
    if (this.failure || 'error' in result) {
      const error = this.failure ? this.failure.error : (result as { error: unknown }).error
      this.failure ??= { error }
      for (const part of [...parts, ...this.queue.splice(0)]) {
        part.reject(error)
      }
      this.queuedRecords = 0
      return
    }
    const { counts } = result
    applyDelta(this.options.ledger, delta)
    const split = this.split(parts, counts)
    for (const id of idsOf(records)) {
      this.remember(id)
    }
    this.options.onBatch?.(counts)
    parts.forEach((part, i) => {
      part.onCommitted?.(split[i]!)
      part.resolve(split[i]!)
    })
  }

  /** Each part's share of the batch's counts (see the module comment). */
  private split(parts: Part[], counts: CommitCounts): CommitCounts[] {
    const inBatch = new Set<string>()
    const candidates = parts.map((part) => {
      let fresh = 0
      for (const id of idsOf(part.records)) {
        if (!inBatch.has(id) && !this.hasSeen(id)) {
          fresh++
        }
        inBatch.add(id)
      }
      return fresh
    })
    // Records the sink had from before this run: duplicates, attributed to parts in order.
    let unexplained = Math.max(0, candidates.reduce((a, b) => a + b, 0) - counts.new)
    return parts.map((part, i) => {
      const taken = Math.min(unexplained, candidates[i]!)
      unexplained -= taken
      const fresh = candidates[i]! - taken
      return { new: fresh, duplicates: sizeOf(part.records) - fresh }
    })
  }

  private hasSeen(id: string): boolean {
    return this.seen.has(id) || this.seenBefore.has(id)
  }

  private remember(id: string): void {
    if (this.seen.size >= SEEN_GENERATION) {
      this.seenBefore = this.seen
      this.seen = new Set()
    }
    this.seen.add(id)
  }

  private wakeWaiters(): void {
    if (this.queuedRecords <= this.options.highWater || this.failure) {
      for (const wake of this.roomWaiters.splice(0)) {
        wake()
      }
    }
  }
}

/** One delta from several, later entries for the same key replacing earlier ones. */
export function mergeDeltas(deltas: readonly LedgerDelta[]): LedgerDelta {
  const windows = new Map<string, LedgerDelta['windows'][number]>()
  const blobs = new Map<string, LedgerDelta['blobs'][number]>()
  const queries = new Map<string, LedgerDelta['queries'][number]>()
  for (const delta of deltas) {
    for (const w of delta.windows) {
      windows.delete(w.key)
      windows.set(w.key, w)
    }
    for (const b of delta.blobs) {
      blobs.delete(b.key)
      blobs.set(b.key, b)
    }
    for (const q of delta.queries) {
      queries.delete(q.key)
      queries.set(q.key, q)
    }
  }
  return {
    ...emptyDelta(),
    windows: [...windows.values()],
    blobs: [...blobs.values()],
    queries: [...queries.values()]
  }
}
