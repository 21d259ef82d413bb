/**
 * One API request under the tenant's budget: a token bucket, a shared throttle pause, retries of
 * throttled answers and (when asked) of transient failures (management-api.md §2.11, §7).
 */
import { AuditApiError, errorAction, explainApiError } from '../audit-api/api-error'
import { TokenDestinationError } from '../audit-api/token-destination'

import { backoffMs, isTransient, toLedgerError } from './retry'
import type { RunContext } from './run-context'
import { TokenBucket } from './token-bucket'
import type { Sleep } from './token-bucket'
import { AcquisitionError } from './types'
import type { ThrottleState } from './types'

/** Knobs of {@link ApiCaller}. */
export interface ApiCallerOptions {
  budgetPerMinute: number
  maxAttempts: number
  maxThrottleWaits: number
  now: () => Date
  sleep: Sleep
}

/** Sends requests under one tenant's budget; lives as long as its engine (across runs). */
export class ApiCaller {
  private readonly bucket: TokenBucket
  private throttledUntil = 0
  private state: ThrottleState = { isThrottled: false, events: 0, resumesAt: null }

  constructor(private readonly options: ApiCallerOptions) {
    this.bucket = new TokenBucket(
      options.budgetPerMinute,
      () => options.now().getTime(),
      options.sleep
    )
  }

  /** The throttling state shown to the user. */
  get throttle(): ThrottleState {
    return this.state
  }

  /**
   * One request under the budget: waits for a token, honours a throttle pause, retries throttled
   * answers (Retry-After when given, else exponential back-off), and with `maxAttempts` > 1 also
   * transient failures. Configuration errors stop the run.
   */
  async call<T>(
    ctx: Pick<RunContext, 'signal' | 'stats' | 'log' | 'emit'>,
    what: string,
    fn: () => Promise<T>,
    maxAttempts = this.options.maxAttempts
  ): Promise<T> {
    const { now, sleep } = this.options
    const maxThrottle = this.options.maxThrottleWaits
    let throttled = 0
    for (let attempt = 1; ;) {
      checkAborted(ctx.signal)
      const pause = this.throttledUntil - now().getTime()
      if (pause > 0) {
        await sleep(pause, ctx.signal)
      }
      await this.bucket.take(ctx.signal)
      ctx.stats.requests++
      try {
        const result = await fn()
        if (this.state.isThrottled && this.throttledUntil <= now().getTime()) {
          this.state = { ...this.state, isThrottled: false, resumesAt: null }
        }
        return result
      } catch (error) {
        if (ctx.signal?.aborted) {
          throw new AcquisitionError('cancelled', 'The pull was cancelled.')
        }
        if (error instanceof TokenDestinationError) {
          // Nothing was sent: the refused URL costs neither the tenant's budget nor a request.
          this.bucket.giveBack()
          ctx.stats.requests--
          throw error
        }
        if (error instanceof AuditApiError && errorAction(error) === 'throttled') {
          throttled++
          ctx.stats.throttleEvents++
          if (throttled > maxThrottle) {
            throw error
          }
          const wait =
            error.retryAfterSeconds !== undefined
              ? error.retryAfterSeconds * 1000
              : Math.min(120_000, 2000 * 2 ** Math.min(throttled - 1, 6)) *
                (0.75 + Math.random() / 2)
          this.throttledUntil = Math.max(this.throttledUntil, now().getTime() + wait)
          this.state = {
            isThrottled: true,
            events: this.state.events + 1,
            resumesAt: new Date(this.throttledUntil).toISOString()
          }
          ctx.log.warn(
            `[acquire] throttled (${error.code}) on ${what}; waiting ${Math.round(wait / 1000)} s`
          )
          ctx.emit()
          continue
        }
        if (error instanceof AuditApiError && errorAction(error) === 'config') {
          throw configError(error)
        }
        if (attempt >= maxAttempts || !isTransient(error)) {
          throw error
        }
        const wait = backoffMs(attempt)
        ctx.log.warn(
          `[acquire] ${what} failed (${toLedgerError(error).code}); retry ${attempt} in ${Math.round(wait / 100) / 10} s`
        )
        await sleep(wait, ctx.signal)
        attempt++
      }
    }
  }
}

/** A run-stopping error for an API answer that says the set-up is wrong. */
export function configError(error: AuditApiError): AcquisitionError {
  return new AcquisitionError(
    error.code === 'AF20023' || error.code === 'AF20022' ? 'subscription' : 'config',
    explainApiError(error),
    error.code
  )
}

/** Throws the `cancelled` error once the run's signal has aborted. */
export function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new AcquisitionError('cancelled', 'The pull was cancelled.')
  }
}
