/**
 * The main side of the batch hand-over to a window (sync and snapshot import): each batch gets
 * an id and a promise that settles with the window's answer once it has committed the batch, so
 * the producer waits for it before sending more (back-pressure), and gives up after a time-out
 * when no window answers.
 */

/** What a window answers for a batch it was sent. */
export type BatchOutcome =
  { ok: true; new: number; duplicates: number } | { ok: false; code: string; message: string }

/** The counts of a committed batch. */
export interface BatchCommit {
  new: number
  duplicates: number
}

interface Pending {
  resolve: (value: BatchCommit) => void
  reject: (error: Error) => void
  timer: NodeJS.Timeout
}

export interface AckedBatchesOptions {
  /** How long to wait for an answer (default 10 minutes). */
  timeoutMs?: number
  /** The error when no answer came in time. */
  timeoutError: () => Error
  /** The error when the window could not commit the batch. */
  commitError: (message: string) => Error
}

/** The batches of one job awaiting the window's answer. */
export class AckedBatches {
  private readonly pending = new Map<number, Pending>()
  private next = 1

  constructor(private readonly options: AckedBatchesOptions) {}

  /** Reserves the next batch id and the promise of its answer. */
  open(): { batchId: number; answer: Promise<BatchCommit> } {
    const batchId = this.next++
    const answer = new Promise<BatchCommit>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(batchId)
        reject(this.options.timeoutError())
      }, this.options.timeoutMs ?? 600_000)
      this.pending.set(batchId, { resolve, reject, timer })
    })
    return { batchId, answer }
  }

  /** Settles a batch with the window's answer; false when the batch is unknown (late, foreign). */
  settle(batchId: number, outcome: BatchOutcome): boolean {
    const pending = this.pending.get(batchId)
    if (!pending) {
      return false
    }
    clearTimeout(pending.timer)
    this.pending.delete(batchId)
    if (outcome.ok) {
      pending.resolve({ new: outcome.new, duplicates: outcome.duplicates })
    } else {
      pending.reject(this.options.commitError(outcome.message))
    }
    return true
  }

  /** Fails every waiting batch with `error` (cancel). */
  rejectAll(error: Error): void {
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer)
      pending.reject(error)
    }
    this.pending.clear()
  }

  /** Forgets every waiting batch without settling it (the job has ended). */
  clear(): void {
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer)
    }
    this.pending.clear()
  }
}

/**
 * The producer's side of the hand-over: up to `limit` batches travel at once, so the next one is
 * read and normalized while the window commits the previous one; answers are awaited in order.
 */
export class InFlightBatches {
  private readonly waiting: Promise<void>[] = []

  constructor(private readonly limit: number) {}

  /** Adds a sent batch's answer; resolves once fewer than `limit` batches are in flight. */
  async add(answer: Promise<void>): Promise<void> {
    // Awaited below (in order); this only keeps a failure of a later batch from being reported
    // as unhandled while an earlier one is awaited.
    answer.catch(() => undefined)
    this.waiting.push(answer)
    while (this.waiting.length >= this.limit) {
      await this.waiting.shift()
    }
  }

  /** Waits for every batch in flight; throws the first failure. */
  async drain(): Promise<void> {
    for (const answer of this.waiting.splice(0)) {
      await answer
    }
  }

  /** Waits for every batch in flight to settle, failed or not (after an error). */
  async settle(): Promise<void> {
    await Promise.allSettled(this.waiting.splice(0))
  }
}
