/**
 * The Microsoft Graph audit log query API: create a query, poll it, page its records
 * (management-api.md §3). v1.0 was withdrawn to beta in 2025; with `version: 'auto'` the client
 * tries v1.0 once and stays on beta after a 404 `UnknownError` (§3.1, checklist item 18).
 */
import { MAX_SKIP_TOKEN_LENGTH } from '../../../shared/acquisition'
import type { HttpsClient, HttpResponse } from '../http/https-client'

import { AuditApiError, parseApiError } from './api-error'
import { BearerHttp } from './bearer-http'
import { tokenDestination } from './token-destination'

/** The Graph API version to use. */
export type GraphVersion = 'auto' | 'v1.0' | 'beta'

/** The fields of an `auditLogQuery` the engine reads. */
export interface AuditLogQuery {
  id: string
  status: string
  approximateReturnedRecordCount: number | null
  isRecordCountLimitExceeded: boolean
  recordCountLimit: number | null
}

/** What to ask for. */
export interface AuditLogQueryRequest {
  displayName: string
  filterStartDateTime: string
  filterEndDateTime: string
  /** camelCase `auditLogRecordType` values; empty = all. */
  recordTypeFilters: string[]
}

/** One page of records. */
export interface AuditRecordPage {
  records: Array<Record<string, unknown>>
  nextLink: string | null
}

export interface GraphAuditClientOptions {
  http: HttpsClient
  /** `https://graph.microsoft.com` or an override (emulator). */
  graphBase: string
  version?: GraphVersion
  token: (forceRefresh?: boolean) => Promise<string>
  timeoutMs?: number
}

/** A client for the Graph audit log query API. */
export class GraphAuditClient {
  private version: 'v1.0' | 'beta'
  private readonly isAuto: boolean
  private readonly bearer: BearerHttp

  constructor(private readonly options: GraphAuditClientOptions) {
    this.isAuto = (options.version ?? 'auto') === 'auto'
    this.version = options.version === 'beta' ? 'beta' : 'v1.0'
    this.bearer = new BearerHttp({
      http: options.http,
      destination: tokenDestination('Microsoft Graph', options.graphBase),
      token: (forceRefresh) => options.token(forceRefresh),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {})
    })
  }

  /** The version in use now. */
  get currentVersion(): 'v1.0' | 'beta' {
    return this.version
  }

  private get queriesUrl(): string {
    return `${this.options.graphBase}/${this.version}/security/auditLog/queries`
  }

  /** Creates a query (201). */
  async createQuery(request: AuditLogQueryRequest, signal?: AbortSignal): Promise<AuditLogQuery> {
    const body = JSON.stringify({
      '@odata.type': '#microsoft.graph.security.auditLogQuery',
      ...request
    })
    try {
      return toQuery(await this.send('POST', this.queriesUrl, body, signal))
    } catch (error) {
      if (
        this.isAuto &&
        this.version === 'v1.0' &&
        error instanceof AuditApiError &&
        error.status === 404
      ) {
        // v1.0 withdrawn (MC1052169): 404 UnknownError. Stay on beta from now on.
        this.version = 'beta'
        return toQuery(await this.send('POST', this.queriesUrl, body, signal))
      }
      throw error
    }
  }

  /**
   * Reads a query's status. In auto mode a 404 on v1.0 is asked again on beta: a query an
   * earlier run created there (after v1.0 was withdrawn) is resumed by id, and this client then
   * stays on beta.
   */
  async getQuery(id: string, signal?: AbortSignal): Promise<AuditLogQuery> {
    const path = `/security/auditLog/queries/${encodeURIComponent(id)}`
    try {
      return toQuery(
        await this.send(
          'GET',
          `${this.options.graphBase}/${this.version}${path}`,
          undefined,
          signal
        )
      )
    } catch (error) {
      if (
        !this.isAuto ||
        this.version !== 'v1.0' ||
        !(error instanceof AuditApiError) ||
        error.status !== 404
      ) {
        throw error
      }
      const query = toQuery(
        await this.send('GET', `${this.options.graphBase}/beta${path}`, undefined, signal)
      )
      this.version = 'beta'
      return query
    }
  }

  /**
   * The URL of a query's records page: the first, or the one a `$skiptoken` (from
   * {@link skipTokenOf}) continues at. Built from the configured base, so an id or token from a
   * ledger can only ever reach this Graph base.
   */
  recordsUrl(id: string, top: number, skipToken?: string): string {
    const url = `${this.queriesUrl}/${encodeURIComponent(id)}/records?$top=${top}`
    return skipToken ? `${url}&$skiptoken=${encodeURIComponent(skipToken)}` : url
  }

  /** Reads one page of records; `nextLink` is `@odata.nextLink` (absent on the last page). */
  async recordsPage(url: string, signal?: AbortSignal): Promise<AuditRecordPage> {
    const res = await this.send('GET', url, undefined, signal)
    const body = parseObject(res)
    const value = body['value']
    if (!Array.isArray(value)) {
      throw new AuditApiError(res.status, 'malformed-body', 'The records page has no value array.')
    }
    const next = body['@odata.nextLink']
    return {
      records: value.filter(
        (r): r is Record<string, unknown> => typeof r === 'object' && r !== null
      ),
      nextLink: typeof next === 'string' && next !== '' ? next : null
    }
  }

  private async send(
    method: string,
    url: string,
    body: string | undefined,
    signal?: AbortSignal
  ): Promise<HttpResponse> {
    let res = await this.exchange(method, url, body, false, signal)
    if (res.status === 401) {
      res = await this.exchange(method, url, body, true, signal)
    }
    if (res.status < 200 || res.status >= 300) {
      const retryAfter = res.headers['retry-after']
      throw parseApiError(
        res.status,
        res.text,
        Array.isArray(retryAfter) ? retryAfter[0] : retryAfter
      )
    }
    return res
  }

  private async exchange(
    method: string,
    url: string,
    body: string | undefined,
    forceRefresh: boolean,
    signal?: AbortSignal
  ): Promise<HttpResponse> {
    return this.bearer.send(
      {
        method,
        url,
        headers: {
          Accept: 'application/json',
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {})
        },
        ...(body !== undefined ? { body } : {}),
        ...(signal ? { signal } : {})
      },
      forceRefresh
    )
  }
}

/** Whether a value has the shape of a Graph audit query id (a GUID). */
export function isQueryId(value: string): boolean {
  return /^[A-Za-z0-9-]{1,64}$/.test(value)
}

/**
 * The `$skiptoken` of an `@odata.nextLink` (any case), or null when it carries none (or one too
 * long to keep). Only this token is kept in the ledger, never the link itself.
 */
export function skipTokenOf(nextLink: string): string | null {
  let url: URL
  try {
    url = new URL(nextLink)
  } catch {
    return null
  }
  for (const [key, value] of url.searchParams) {
    if (key.toLowerCase() === '$skiptoken' && value !== '') {
      return value.length <= MAX_SKIP_TOKEN_LENGTH ? value : null
    }
  }
  return null
}

function parseObject(res: HttpResponse): Record<string, unknown> {
  let body: unknown
  try {
    body = JSON.parse(res.text)
  } catch {
    throw new AuditApiError(res.status, 'malformed-body', 'Graph answered with invalid JSON.')
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AuditApiError(res.status, 'malformed-body', 'Graph answered with a non-object.')
  }
  return body as Record<string, unknown>
}

function toQuery(res: HttpResponse): AuditLogQuery {
  const o = parseObject(res)
  if (typeof o['id'] !== 'string' || typeof o['status'] !== 'string') {
    throw new AuditApiError(res.status, 'malformed-body', 'The audit log query has no id/status.')
  }
  const num = (v: unknown): number | null => (typeof v === 'number' ? v : null)
  return {
    id: o['id'],
    status: o['status'],
    approximateReturnedRecordCount: num(o['approximateReturnedRecordCount']),
    isRecordCountLimitExceeded: o['isRecordCountLimitExceeded'] === true,
    recordCountLimit: num(o['recordCountLimit'])
  }
}
