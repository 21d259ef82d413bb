/**
 * A client of Azure Data Explorer's REST API (the form `azure-kusto-data` speaks): queries
 * `POST {cluster}/v2/rest/query` (the v2 frame array), management commands
 * `POST {cluster}/v1/rest/mgmt` (v1 tables) and streaming ingestion
 * `POST {cluster}/v1/rest/ingest/{db}/{table}?streamFormat=multijson&mappingName=…` (gzip).
 * Every request goes through {@link BearerHttp} — the one place that attaches a token, and only
 * to the cluster URL main was configured with — and the shared retry loop (401 refreshes once,
 * 429 waits Retry-After, 5xx/504 back off). A query whose result came back cut (a `OneApiErrors`
 * row, or `HasErrors` in the completion frame) is returned marked partial, never as complete.
 */
import { randomUUID } from 'node:crypto'

import type { BearerHttp } from '../../audit-api/bearer-http'
import { sendWithRetries } from '../kql/kql-http'
import type { RetryPolicy } from '../kql/kql-http'
import type { KqlAnswer, KqlColumn } from '../kql/kql-table-pull'

/** A refused or failed request, with the cluster's code (`Forbidden`, `TooManyRequests`…). */
export class AdxError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message)
    this.name = 'AdxError'
  }

  /** Sign-in or permission problems: retrying will not help. */
  get isAuth(): boolean {
    return this.status === 401 || this.status === 403
  }
}

export interface AdxClientOptions extends RetryPolicy {
  http: BearerHttp
  /** The cluster URL main configured (`https://c.region.kusto.windows.net`, or the emulator's). */
  cluster: string
}

/** The first table of a v1 (management) answer. */
export interface AdxV1Table {
  columns: KqlColumn[]
  rows: unknown[][]
}

/** Talks to one cluster. */
export class AdxClient {
  /** Requests sent (attempts included). */
  requests = 0
  /** 429 answers waited out. */
  throttled = 0
  private readonly base: string

  constructor(private readonly options: AdxClientOptions) {
    this.base = options.cluster.replace(/\/+$/, '')
  }

  /** Runs one KQL query in `database`; throws {@link AdxError} or a network error. */
  async query(database: string, csl: string, signal?: AbortSignal): Promise<KqlAnswer> {
    const res = await this.post('/v2/rest/query', database, csl, 'query', signal)
    return parseV2(res)
  }

  /** Runs one management command; resolves with its first result table. */
  async mgmt(database: string, csl: string, signal?: AbortSignal): Promise<AdxV1Table> {
    const res = await this.post('/v1/rest/mgmt', database, csl, 'mgmt', signal)
    return parseV1(res)
  }

  /**
   * Streams one gzip-compressed multijson body into `table` with the named JSON mapping; one
   * request is one transaction. Resolves with the records the cluster consumed, when it says.
   */
  async streamIngest(
    database: string,
    table: string,
    mappingName: string,
    gzipBody: Uint8Array,
    signal?: AbortSignal
  ): Promise<{ consumed: number | undefined }> {
    const url = `${this.base}/v1/rest/ingest/${encodeURIComponent(database)}/${encodeURIComponent(table)}?streamFormat=multijson&mappingName=${encodeURIComponent(mappingName)}`
    const res = await sendWithRetries(
      this.options.http,
      {
        method: 'POST',
        url,
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Encoding': 'gzip',
          Accept: 'application/json',
          'x-ms-client-request-id': `cax.ingest;${randomUUID()}`,
          'x-ms-app': 'cax'
        },
        body: gzipBody,
        ...(signal ? { signal } : {})
      },
      this.options,
      this
    )
    if (res.status !== 200) {
      throw parseError(res.status, res.text)
    }
    const table1 = parseV1(res.text)
    const at = table1.columns.findIndex((c) => c.name === 'ConsumedRecordsCount')
    const n = at >= 0 ? Number(table1.rows[0]?.[at]) : Number.NaN
    return { consumed: Number.isFinite(n) ? n : undefined }
  }

  private async post(
    path: string,
    database: string,
    csl: string,
    kind: 'query' | 'mgmt',
    signal: AbortSignal | undefined
  ): Promise<string> {
    const res = await sendWithRetries(
      this.options.http,
      {
        method: 'POST',
        url: `${this.base}${path}`,
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          Accept: 'application/json',
          'x-ms-client-request-id': `cax.${kind};${randomUUID()}`,
          'x-ms-app': 'cax'
        },
        body: JSON.stringify({ db: database, csl, properties: { Options: {} } }),
        ...(signal ? { signal } : {})
      },
      this.options,
      this
    )
    if (res.status !== 200) {
      throw parseError(res.status, res.text)
    }
    return res.text
  }
}

/** Reads a v2 answer: the PrimaryResult table and any in-stream error (a cut result). */
export function parseV2(text: string): KqlAnswer {
  let frames: unknown
  try {
    frames = JSON.parse(text)
  } catch {
    throw new AdxError(200, 'malformed-body', 'The query answer is not JSON.')
  }
  if (!Array.isArray(frames)) {
    throw new AdxError(200, 'malformed-body', 'The query answer is not a v2 frame array.')
  }
  let primary: { Columns?: unknown; Rows?: unknown } | undefined
  let partialError: KqlAnswer['partialError']
  for (const frame of frames as Array<Record<string, unknown> | null>) {
    if (frame?.FrameType === 'DataTable' && frame.TableKind === 'PrimaryResult' && !primary) {
      primary = frame
    }
    if (frame?.FrameType === 'DataSetCompletion' && frame.HasErrors === true && !partialError) {
      partialError = firstError(frame.OneApiErrors) ?? {
        code: 'HasErrors',
        message: 'The query completed with errors.'
      }
    }
  }
  const columns = primary?.Columns
  const rows = primary?.Rows
  if (
    !Array.isArray(columns) ||
    !Array.isArray(rows) ||
    !columns.every((c) => typeof (c as { ColumnName?: unknown } | null)?.ColumnName === 'string')
  ) {
    throw new AdxError(200, 'malformed-body', 'The query answer has no PrimaryResult table.')
  }
  const data: unknown[][] = []
  for (const row of rows as unknown[]) {
    if (Array.isArray(row)) {
      data.push(row)
      continue
    }
    // An error row inside the table: the result was cut after the rows so far.
    const error = firstError((row as { OneApiErrors?: unknown } | null)?.OneApiErrors)
    partialError = partialError ?? error ?? { code: 'PartialError', message: 'an error row' }
  }
  return {
    table: {
      columns: (columns as Array<{ ColumnName: string; ColumnType?: unknown }>).map((c) => ({
        name: c.ColumnName,
        type: String(c.ColumnType ?? 'dynamic')
      })),
      rows: data
    },
    partialError
  }
}

/** Reads a v1 answer's first table. */
export function parseV1(text: string): AdxV1Table {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new AdxError(200, 'malformed-body', 'The command answer is not JSON.')
  }
  const first = (value as { Tables?: unknown } | null)?.Tables
  const table = Array.isArray(first)
    ? (first[0] as { Columns?: unknown; Rows?: unknown } | undefined)
    : undefined
  if (!table || !Array.isArray(table.Columns) || !Array.isArray(table.Rows)) {
    throw new AdxError(200, 'malformed-body', 'The command answer has no Tables[0].')
  }
  return {
    columns: (table.Columns as Array<{ ColumnName?: unknown; ColumnType?: unknown }>).map((c) => ({
      name: String(c.ColumnName),
      type: String(c.ColumnType ?? 'string')
    })),
    rows: (table.Rows as unknown[]).filter(Array.isArray)
  }
}

function firstError(list: unknown): { code: string; message: string } | undefined {
  const error = Array.isArray(list)
    ? (list[0] as { error?: Record<string, unknown> } | undefined)?.error
    : undefined
  if (!error) {
    return undefined
  }
  const detail = error['@message']
  return {
    code: typeof error.code === 'string' ? error.code : 'PartialError',
    message: typeof detail === 'string' ? detail : String(error.message ?? 'partial result')
  }
}

function parseError(status: number, text: string): AdxError {
  let code = `HTTP_${status}`
  let message = `The Azure Data Explorer cluster answered HTTP ${status}.`
  try {
    const error = (JSON.parse(text) as { error?: Record<string, unknown> }).error
    if (typeof error?.code === 'string') {
      code = error.code
    }
    const detail = error?.['@message']
    if (typeof error?.message === 'string') {
      message = `${code}: ${typeof detail === 'string' && detail !== error.message ? detail : error.message} (HTTP ${status})`
    }
  } catch {
    // Not JSON: keep the status.
  }
  return new AdxError(status, code, message.slice(0, 500))
}
