/**
 * A client of the Azure Monitor Logs (Log Analytics) query API in its REST form:
 * `POST {base}/v1/workspaces/{id}/query` with `{ query, timespan }`. Every request goes through
 * {@link BearerHttp}, the one place that attaches a token, and only to the base main configured
 * (the cloud table, or the emulator). 401 refreshes the token once; 429 waits the server's
 * Retry-After; 5xx and 504 back off; a 200 with `error.code = 'PartialError'` comes back as a
 * result marked partial, so the caller can split rather than keep a cut-off answer.
 */
import type { BearerHttp } from '../../audit-api/bearer-http'
import { NetworkError } from '../../http/https-client'

/** A column of a result table. */
export interface LogsColumn {
  name: string
  type: string
}

/** The primary result table of a query. */
export interface LogsTable {
  columns: LogsColumn[]
  rows: unknown[][]
}

/** The answer to one query. */
export interface LogsResult {
  table: LogsTable
  /** Set when the service answered 200 with a PartialError: the rows are incomplete. */
  partialError: { code: string; message: string } | undefined
}

/** A refused or failed query, with the service's code (`InsufficientAccessError`, `HTTP_504`…). */
export class LogAnalyticsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message)
    this.name = 'LogAnalyticsError'
  }

  /** Sign-in or permission problems: retrying will not help. */
  get isAuth(): boolean {
    return this.status === 401 || this.status === 403
  }
}

export interface LogAnalyticsClientOptions {
  http: BearerHttp
  /** The API base main configured: `https://api.loganalytics.azure.com` or the emulator's. */
  base: string
  /** Waits (injectable for tests; default setTimeout). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  /** Tries per query for throttling and transient failures (default 6). */
  attempts?: number
  /** Longest Retry-After honoured before giving up on a query, ms (default 5 minutes). */
  maxRetryAfterMs?: number
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Whether text is a workspace id (a GUID). */
export function isWorkspaceId(text: string): boolean {
  return GUID.test(text)
}

/** Runs KQL queries against one API base. */
export class LogAnalyticsClient {
  /** Queries sent (attempts included). */
  requests = 0
  /** 429 answers waited out. */
  throttled = 0

  constructor(private readonly options: LogAnalyticsClientOptions) {}

  /** Runs one query over `[start, end)`; throws {@link LogAnalyticsError} or a network error. */
  async query(
    workspaceId: string,
    kql: string,
    span: { start: Date; end: Date } | undefined,
    signal?: AbortSignal
  ): Promise<LogsResult> {
    if (!isWorkspaceId(workspaceId)) {
      throw new LogAnalyticsError(
        0,
        'invalid-workspace',
        `'${workspaceId}' is not a workspace id (a GUID)`
      )
    }
    const url = `${this.options.base.replace(/\/+$/, '')}/v1/workspaces/${workspaceId.toLowerCase()}/query`
    const body = JSON.stringify({
      query: kql,
      ...(span ? { timespan: `${span.start.toISOString()}/${span.end.toISOString()}` } : {})
    })
    const attempts = this.options.attempts ?? 6
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
            url,
            headers: { 'Content-Type': 'application/json', Prefer: 'wait=600' },
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
      if (res.status === 200) {
        return parseResult(res.text)
      }
      const failure = parseError(res.status, res.text)
      if (res.status === 401 && !refreshed) {
        // Refresh the token once (skipping the cache) and try again; a second 401 is final.
        refreshed = true
        forceRefresh = true
        continue
      }
      if (res.status === 429 && attempt < attempts) {
        const wait = retryAfterMs(res.headers['retry-after']) ?? backoff(attempt)
        if (wait <= (this.options.maxRetryAfterMs ?? 300_000)) {
          this.throttled++
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

function retryAfterMs(header: string | string[] | undefined): number | undefined {
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

/** Reads a 200 answer: the primary table and any PartialError. Throws on a malformed body. */
function parseResult(text: string): LogsResult {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new LogAnalyticsError(200, 'malformed-body', 'The query answer is not JSON.')
  }
  const tables = (value as { tables?: unknown } | null)?.tables
  const first = Array.isArray(tables)
    ? (tables[0] as Record<string, unknown> | undefined)
    : undefined
  const columns = first?.columns
  const rows = first?.rows
  if (
    !Array.isArray(columns) ||
    !Array.isArray(rows) ||
    !columns.every((c) => typeof (c as LogsColumn | null)?.name === 'string') ||
    !rows.every(Array.isArray)
  ) {
    throw new LogAnalyticsError(
      200,
      'malformed-body',
      'The query answer has no tables[0].columns/rows.'
    )
  }
  const error = (value as { error?: { code?: unknown; message?: unknown; details?: unknown } })
    .error
  let partialError: LogsResult['partialError']
  if (error && typeof error === 'object') {
    const inner = Array.isArray(error.details)
      ? (error.details as Array<{ innererror?: { message?: unknown } }>)
          .map((d) => d.innererror?.message)
          .find((m): m is string => typeof m === 'string')
      : undefined
    partialError = {
      code: typeof error.code === 'string' ? error.code : 'PartialError',
      message: inner ?? (typeof error.message === 'string' ? error.message : 'partial result')
    }
  }
  return {
    table: {
      columns: (columns as LogsColumn[]).map((c) => ({ name: c.name, type: String(c.type) })),
      rows: rows as unknown[][]
    },
    partialError
  }
}

function parseError(status: number, text: string): LogAnalyticsError {
  let code = `HTTP_${status}`
  let message = `The Log Analytics API answered HTTP ${status}.`
  try {
    const error = (
      JSON.parse(text) as {
        error?: { code?: unknown; message?: unknown; innererror?: { message?: unknown } }
      }
    ).error
    if (typeof error?.code === 'string') {
      code = error.code
    }
    if (typeof error?.message === 'string') {
      const inner =
        typeof error.innererror?.message === 'string' ? `: ${error.innererror.message}` : ''
      message = `${code}: ${error.message}${inner} (HTTP ${status})`
    }
  } catch {
    // Not JSON: keep the status.
  }
  return new LogAnalyticsError(status, code, message.slice(0, 500))
}
