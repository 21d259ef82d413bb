/**
 * A client of the Azure Monitor Logs (Log Analytics) query API in its REST form:
 * `POST {base}/v1/workspaces/{id}/query` with `{ query, timespan }`. Every request goes through
 * {@link BearerHttp}, the one place that attaches a token, and only to the base main configured
 * (the cloud table, or the emulator). 401 refreshes the token once; 429 waits the server's
 * Retry-After; 5xx and 504 back off; a 200 with `error.code = 'PartialError'` comes back as a
 * result marked partial, so the caller can split rather than keep a cut-off answer.
 */
import type { BearerHttp } from '../../audit-api/bearer-http'
import { sendWithRetries } from '../kql/kql-http'
import type { RetryPolicy } from '../kql/kql-http'

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

export interface LogAnalyticsClientOptions extends RetryPolicy {
  http: BearerHttp
  /** The API base main configured: `https://api.loganalytics.azure.com` or the emulator's. */
  base: string
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
    const res = await sendWithRetries(
      this.options.http,
      {
        method: 'POST',
        url,
        headers: { 'Content-Type': 'application/json', Prefer: 'wait=600' },
        body,
        ...(signal ? { signal } : {})
      },
      this.options,
      this
    )
    if (res.status === 200) {
      return parseResult(res.text)
    }
    throw parseError(res.status, res.text)
  }
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
