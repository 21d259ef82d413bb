/**
 * The retry loop shared by the KQL engines' REST clients (the Log Analytics query API and Azure
 * Data Explorer): every request goes through {@link BearerHttp}, the one place that attaches a
 * token, and only to the base main configured. A 401 refreshes the token once (skipping the
 * cache); 429 waits the server's Retry-After (up to a bound); 5xx, 504 and 408 back off
 * exponentially; network failures other than TLS and blocked hosts are retried. What is left —
 * a 200, or a status that is final — is handed back for the client to read.
 */
import type { BearerHttp, BearerRequest } from '../../audit-api/bearer-http'
import { NetworkError } from '../../http/https-client'
import type { HttpResponse } from '../../http/https-client'

/** How hard a client tries. */
export interface RetryPolicy {
  /** Tries per request for throttling and transient failures (default 6). */
  attempts?: number
  /** Longest Retry-After honoured before giving up on a request, ms (default 5 minutes). */
  maxRetryAfterMs?: number
  /** Waits (injectable for tests; default setTimeout). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
}

/** Counters a client exposes: requests sent (attempts included) and 429s waited out. */
export interface RetryCounters {
  requests: number
  throttled: number
}

/** Sends `req` with retries; resolves with the first 2xx or final answer. Throws network errors. */
export async function sendWithRetries(
  http: BearerHttp,
  req: BearerRequest,
  policy: RetryPolicy,
  counters: RetryCounters
): Promise<HttpResponse> {
  const attempts = policy.attempts ?? 6
  const sleep = policy.sleep ?? defaultSleep
  const signal = req.signal
  let refreshed = false
  let forceRefresh = false
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted()
    counters.requests++
    let res: HttpResponse
    try {
      res = await http.send(req, forceRefresh)
      forceRefresh = false
    } catch (error) {
      if (
        error instanceof NetworkError &&
        error.kind !== 'tls' &&
        error.kind !== 'blocked' &&
        attempt < attempts
      ) {
        await sleep(backoff(attempt), signal)
        continue
      }
      throw error
    }
    if (res.status >= 200 && res.status < 300) {
      return res
    }
    if (res.status === 401 && !refreshed) {
      // Refresh the token once (skipping the cache) and try again; a second 401 is final.
      refreshed = true
      forceRefresh = true
      continue
    }
    if (res.status === 429 && attempt < attempts) {
      const wait = retryAfterMs(res.headers['retry-after']) ?? backoff(attempt)
      if (wait <= (policy.maxRetryAfterMs ?? 300_000)) {
        counters.throttled++
        await sleep(wait, signal)
        continue
      }
    }
    if ((res.status >= 500 || res.status === 408) && attempt < attempts) {
      await sleep(backoff(attempt), signal)
      continue
    }
    return res
  }
}

/** Exponential back-off: 1 s, 2 s, 4 s… up to a minute. */
export function backoff(attempt: number): number {
  return Math.min(60_000, 1000 * 2 ** (attempt - 1))
}

/** A Retry-After header (seconds or an HTTP date) in ms; undefined when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header
  if (value === undefined) {
    return undefined
  }
  const seconds = Number(value)
  if (Number.isFinite(seconds) && seconds >= 0) {
    return seconds * 1000
  }
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now())
}

/** setTimeout as a promise that an abort signal rejects early. */
export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer)
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'))
      },
      { once: true }
    )
  })
}
