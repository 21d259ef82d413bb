/**
 * A token bucket for the tenant's request budget (management-api.md §2.11: 2,000 requests/min
 * per tenant by default). Every API request takes one token.
 */

/** Sleeps `ms`; rejects when the signal aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>

/** A sleep on real timers. */
export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'))
      return
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'))
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })

/** Allows `perMinute` requests a minute, with bursts up to `capacity` (default: one minute's). */
export class TokenBucket {
  private tokens: number
  private at: number
  private queue: Promise<void> = Promise.resolve()

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number,
    private readonly sleep: Sleep,
    private readonly capacity = perMinute
  ) {
    if (!(perMinute > 0)) {
      throw new Error('[acquire] the request budget must be positive')
    }
    this.tokens = capacity
    this.at = now()
  }

  /** Waits for a token, first come first served. */
  take(signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.takeNow(signal))
    this.queue = turn.catch(() => undefined)
    return turn
  }

  /** Returns a token taken for a request that was never sent (the token policy refused its URL). */
  giveBack(): void {
    this.tokens = Math.min(this.capacity, this.tokens + 1)
  }

  private async takeNow(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const t = this.now()
      this.tokens = Math.min(this.capacity, this.tokens + ((t - this.at) / 60_000) * this.perMinute)
      this.at = t
      if (this.tokens >= 1) {
        this.tokens -= 1
        return
      }
      await this.sleep(Math.ceil(((1 - this.tokens) * 60_000) / this.perMinute), signal)
    }
  }
}
