/**
 * A client of the Azure Monitor Logs Ingestion API in its REST form:
 * `POST {endpoint}/dataCollectionRules/{immutableId}/streams/{stream}?api-version=2023-01-01`
 * with a gzip-compressed JSON array. Every request goes through {@link BearerHttp} (the one
 * place that attaches a token), only to the endpoint the admin configured. 204 is success;
 * 401 refreshes the token once; 429 waits the server's Retry-After; 5xx and network failures back
 * off; 413 is thrown as {@link PayloadTooLargeError} so the caller can split the part.
 */
import { gzipSync } from 'node:zlib'

import type { BearerHttp } from '../../audit-api/bearer-http'
import { NetworkError } from '../../http/https-client'

/** The documented API version. */
export const LOGS_INGESTION_API_VERSION = '2023-01-01'

/** The service refused a call as larger than 1 MB: split it. */
export class PayloadTooLargeError extends Error {}

/** A refused or failed call, with the service's code. */
export class LogsIngestionError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message)
    this.name = 'LogsIngestionError'
  }

  /** Sign-in or permission problems: retrying will not help. */
  get isAuth(): boolean {
    return this.status === 401 || this.status === 403
  }
}

export interface LogsIngestionClientOptions {
  http: BearerHttp
  /** The data collection endpoint or the `kind: Direct` rule's logs ingestion endpoint. */
  endpoint: string
  /** The rule's immutable id: `dcr-…`. */
  ruleId: string
  /** The stream: `Custom-PowerPlatformAudit_CL`. */
  stream: string
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  /** Tries per call on 429, 5xx and network failures (default 8). */
  attempts?: number
  /** Longest Retry-After honoured, ms (default 5 minutes). */
  maxRetryAfterMs?: number
  /** Told of each wait for a 429, with the wait in ms. */
  onThrottled?: (waitMs: number) => void
}

/** Sends rows to one stream of one rule. */
export class LogsIngestionClient {
  /** Calls sent (attempts included). */
  requests = 0
  /** 429 answers waited out. */
  throttled = 0

  constructor(private readonly options: LogsIngestionClientOptions) {}

  /** The upload URL. */
  get url(): string {
    const base = this.options.endpoint.replace(/\/+$/, '')
    return `${base}/dataCollectionRules/${encodeURIComponent(this.options.ruleId)}/streams/${encodeURIComponent(this.options.stream)}?api-version=${LOGS_INGESTION_API_VERSION}`
  }

  /** Uploads one JSON array (already serialized); resolves on 204. */
  async upload(json: string, signal?: AbortSignal): Promise<void> {
    const body = gzipSync(Buffer.from(json, 'utf8'))
    const attempts = this.options.attempts ?? 8
    const sleep = this.options.sleep ?? defaultSleep
    let refreshed = false
    let forceRefresh = false
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted()
      this.requests++
      let res
      try {
        res = await this.options.http.send(
          {
            method: 'POST',
            url: this.url,
            headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
            body,
            ...(signal ? { signal } : {})
          },
          forceRefresh
        )
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
      if (res.status === 204 || res.status === 200) {
        return
      }
      const failure = parseError(res.status, res.text, res.headers['x-ms-error-code'])
      if (res.status === 413) {
        throw new PayloadTooLargeError(failure.message)
      }
      if (res.status === 401 && !refreshed) {
        refreshed = true
        forceRefresh = true
        continue
      }
      if (res.status === 429 && attempt < attempts) {
        const wait = retryAfterMs(res.headers['retry-after']) ?? backoff(attempt)
        if (wait <= (this.options.maxRetryAfterMs ?? 300_000)) {
          this.throttled++
          this.options.onThrottled?.(wait)
          await sleep(wait, signal)
          continue
        }
      }
      if ((res.status >= 500 || res.status === 408) && attempt < attempts) {
        await sleep(backoff(attempt), signal)
        continue
      }
      throw failure
    }
  }
}

function backoff(attempt: number): number {
  return Math.min(60_000, 1000 * 2 ** (attempt - 1))
}

/** Retry-After in seconds or as an HTTP date, in ms. */
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

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
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

function parseError(
  status: number,
  text: string,
  header: string | string[] | undefined
): LogsIngestionError {
  let code = (Array.isArray(header) ? header[0] : header) ?? `HTTP_${status}`
  let message = `The Logs Ingestion API answered HTTP ${status}.`
  try {
    const error = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error
    if (typeof error?.code === 'string') {
      code = error.code
    }
    if (typeof error?.message === 'string') {
      message = `${code}: ${error.message} (HTTP ${status})`
    }
  } catch {
    // Not JSON: keep the status.
  }
  return new LogsIngestionError(status, code, message.slice(0, 500))
}
