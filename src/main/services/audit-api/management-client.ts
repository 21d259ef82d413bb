/**
 * The Office 365 Management Activity API: subscriptions, content listing and blob download.
 * Every call carries PublisherIdentifier, blob GETs and next-page URLs included
 * (management-api.md §2.3, §2.11, §7 item 2).
 */
import type { Readable } from 'node:stream'

import type { HttpsClient, HttpResponse, HttpStreamResponse } from '../http/https-client'

import { AuditApiError, parseApiError } from './api-error'
import { BearerHttp } from './bearer-http'
import {
  assertTokenDestination,
  tokenDestination,
  TokenDestinationError,
  type TokenDestination
} from './token-destination'

/** One subscription as the API lists it. */
export interface Subscription {
  contentType: string
  status: string
}

/** One content blob as `/subscriptions/content` lists it (management-api.md §2.7). */
export interface ContentItem {
  contentType: string
  contentId: string
  contentUri: string
  contentCreated: string
  contentExpiration: string
}

/** What `startSubscription` found. */
export type StartOutcome = 'started' | 'already-enabled'

export interface ManagementClientOptions {
  http: HttpsClient
  /** `https://manage.office.com` or an override (emulator). */
  apiBase: string
  tenantId: string
  publisherIdentifier: string
  /** Returns an access token for the Management API; `forceRefresh` after a 401. */
  token: (forceRefresh?: boolean) => Promise<string>
  /** Called with the server's `Date` header of every answer (clock-skew detection). */
  onServerDate?: (serverDate: Date) => void
  /** Per-request time-out in ms (default: the client's). */
  timeoutMs?: number
}

/**
 * What a Management API content id may hold: the observed shape is `$`-separated timestamps,
 * content type and region (management-api.md §2.7). Anything else (slashes, dots, `@`, `%`) is
 * refused, so a content id from a ledger cannot steer the URL main builds from it.
 */
const CONTENT_ID = /^[A-Za-z0-9_$-]{1,400}$/

/** A client for one tenant's activity feed. */
export class ManagementClient {
  private readonly bearer: BearerHttp

  constructor(private readonly options: ManagementClientOptions) {
    this.bearer = new BearerHttp({
      http: options.http,
      destination: tokenDestination('the Management Activity API', options.apiBase),
      token: (forceRefresh) => options.token(forceRefresh),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {})
    })
  }

  /** Where this client sends its token (the configured API base). */
  get destination(): TokenDestination {
    return this.bearer.destination
  }

  /** `{apiBase}/api/v1.0/{tenant}/activity/feed` */
  get root(): string {
    return `${this.options.apiBase}/api/v1.0/${encodeURIComponent(this.options.tenantId)}/activity/feed`
  }

  /** Lists the tenant's subscriptions; the `Date` header of the answer is returned for clock checks. */
  async listSubscriptions(
    signal?: AbortSignal
  ): Promise<{ subscriptions: Subscription[]; serverDate: Date | null }> {
    const res = await this.send('GET', `${this.root}/subscriptions/list`, signal)
    const body = parseJson(res.text, 'subscription list')
    const subscriptions = Array.isArray(body)
      ? body.filter(
          (s): s is Subscription =>
            typeof s === 'object' &&
            s !== null &&
            typeof (s as Subscription).contentType === 'string'
        )
      : []
    return { subscriptions, serverDate: serverDate(res) }
  }

  /**
   * Starts a subscription. A 400 `AF20024` ("already enabled, no property change") is success
   * (management-api.md §2.5; undocumented, seen by every collector).
   */
  async startSubscription(contentType: string, signal?: AbortSignal): Promise<StartOutcome> {
    const url = new URL(`${this.root}/subscriptions/start`)
    url.searchParams.set('contentType', contentType)
    try {
      await this.send('POST', url.href, signal)
      return 'started'
    } catch (error) {
      if (error instanceof AuditApiError && error.code === 'AF20024') {
        return 'already-enabled'
      }
      throw error
    }
  }

  /**
   * Lists one page of content. The next page is the `NextPageUri` header, read case-insensitively
   * and also under its legacy name `NextPageUrl` (management-api.md §2.8; utmstack/UTMStack#2436).
   */
  async listContentPage(
    pageUrl: string,
    signal?: AbortSignal
  ): Promise<{ items: ContentItem[]; nextPageUri: string | null }> {
    const res = await this.send('GET', pageUrl, signal)
    const body = parseJson(res.text, 'content list')
    if (!Array.isArray(body)) {
      throw new AuditApiError(res.status, 'malformed-body', 'The content list is not a JSON array.')
    }
    const items: ContentItem[] = []
    for (const raw of body) {
      const item = toContentItem(raw)
      if (!item) {
        throw new AuditApiError(
          res.status,
          'malformed-body',
          'The content list holds an item without contentId / contentUri / contentCreated.'
        )
      }
      items.push(item)
    }
    return { items, nextPageUri: nextPageHeader(res) }
  }

  /** The URL of the first content page of a window (`startTime`/`endTime` in UTC, `Z`). */
  contentUrl(contentType: string, start: Date, end: Date): string {
    const url = new URL(`${this.root}/subscriptions/content`)
    url.searchParams.set('contentType', contentType)
    url.searchParams.set('startTime', formatApiTime(start))
    url.searchParams.set('endTime', formatApiTime(end))
    return url.href
  }

  /**
   * The blob URL main builds for a content id (`{root}/audit/{contentId}`, management-api.md
   * §2.7): used for blobs an earlier run listed, whose ledger entry comes from outside main and so
   * carries no URL. Throws {@link TokenDestinationError} for a content id of the wrong shape.
   */
  blobUrl(contentId: string): string {
    if (!CONTENT_ID.test(contentId)) {
      throw new TokenDestinationError(
        this.destination,
        'the content id has characters a Management API content id never has',
        `${this.root}/audit/${contentId}`
      )
    }
    return `${this.root}/audit/${contentId}`
  }

  /** Downloads a blob's body as text (a JSON array of records). */
  async getBlob(contentUri: string, signal?: AbortSignal): Promise<string> {
    return (await this.send('GET', contentUri, signal)).text
  }

  /**
   * Downloads a blob as a byte stream, so a large blob is never held whole. Error answers are
   * read (they are small) and thrown as {@link AuditApiError} exactly as {@link getBlob} does,
   * including one token refresh after the gateway's 401. The caller must read the stream to its
   * end or destroy it; a body that breaks off fails the stream with a `NetworkError`.
   */
  async getBlobStream(contentUri: string, signal?: AbortSignal): Promise<Readable> {
    // Checked as received, before any parsing rewrites it (and again where the token is attached).
    const target = withPublisher(
      assertTokenDestination(contentUri, this.destination),
      this.options.publisherIdentifier
    )
    let res = await this.streamExchange(target, false, signal)
    if (res.status === 401) {
      const text = await readText(res.body)
      if (parseApiError(401, text).code !== 'HTTP_401') {
        throw parseApiError(401, text, headerValue(res, 'retry-after'))
      }
      // The gateway's 401: the token expired or was refused; refresh once (checklist item 10).
      res = await this.streamExchange(target, true, signal)
    }
    if (res.status < 200 || res.status >= 300) {
      throw parseApiError(res.status, await readText(res.body), headerValue(res, 'retry-after'))
    }
    return res.body
  }

  private async streamExchange(
    url: string,
    forceRefresh: boolean,
    signal?: AbortSignal
  ): Promise<HttpStreamResponse> {
    const res = await this.bearer.stream(
      {
        method: 'GET',
        url,
        headers: { Accept: 'application/json' },
        ...(signal ? { signal } : {})
      },
      forceRefresh
    )
    const date = serverDate({ headers: res.headers })
    if (date) {
      this.options.onServerDate?.(date)
    }
    return res
  }

  private async send(method: string, url: string, signal?: AbortSignal): Promise<HttpResponse> {
    const target = withPublisher(
      assertTokenDestination(url, this.destination),
      this.options.publisherIdentifier
    )
    let res = await this.exchange(method, target, false, signal)
    if (res.status === 401 && parseApiError(401, res.text).code === 'HTTP_401') {
      // The gateway's 401: the token expired or was refused; refresh once (checklist item 10).
      res = await this.exchange(method, target, true, signal)
    }
    if (res.status < 200 || res.status >= 300) {
      throw parseApiError(res.status, res.text, headerValue(res, 'retry-after'))
    }
    return res
  }

  private async exchange(
    method: string,
    url: string,
    forceRefresh: boolean,
    signal?: AbortSignal
  ): Promise<HttpResponse> {
    const res = await this.bearer.send(
      {
        method,
        url,
        headers: { Accept: 'application/json' },
        ...(method === 'POST' ? { body: '' } : {}),
        ...(signal ? { signal } : {})
      },
      forceRefresh
    )
    const date = serverDate(res)
    if (date) {
      this.options.onServerDate?.(date)
    }
    return res
  }
}

/** Adds `PublisherIdentifier` to a URL unless it already has one (any case). */
export function withPublisher(url: string, publisherIdentifier: string): string {
  const target = new URL(url)
  for (const key of target.searchParams.keys()) {
    if (key.toLowerCase() === 'publisheridentifier') {
      return target.href
    }
  }
  target.searchParams.set('PublisherIdentifier', publisherIdentifier)
  return target.href
}

/** `2026-05-19T13:00:00Z`: UTC, 24-hour clock, whole seconds (management-api.md §2.6, §7 item 3). */
export function formatApiTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`
}

/** The next-page URL from a content list answer, whatever the header's case or legacy name. */
export function nextPageHeader(res: Pick<HttpResponse, 'headers'>): string | null {
  for (const [name, value] of Object.entries(res.headers)) {
    const lower = name.toLowerCase()
    if (lower === 'nextpageuri' || lower === 'nextpageurl') {
      const text = Array.isArray(value) ? value[0] : value
      if (text && text.trim() !== '') {
        return text.trim()
      }
    }
  }
  return null
}

function toContentItem(raw: unknown): ContentItem | undefined {
  if (typeof raw !== 'object' || raw === null) {
    return undefined
  }
  const o = raw as Record<string, unknown>
  const text = (k: string): string | undefined => (typeof o[k] === 'string' ? o[k] : undefined)
  const contentId = text('contentId')
  const contentUri = text('contentUri')
  const contentCreated = text('contentCreated')
  if (!contentId || !contentUri || !contentCreated || Number.isNaN(Date.parse(contentCreated))) {
    return undefined
  }
  const expiration = text('contentExpiration')
  return {
    contentType: text('contentType') ?? '',
    contentId,
    contentUri,
    contentCreated: new Date(contentCreated).toISOString(),
    contentExpiration:
      expiration && !Number.isNaN(Date.parse(expiration))
        ? new Date(expiration).toISOString()
        : new Date(Date.parse(contentCreated) + 7 * 86_400_000).toISOString()
  }
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new AuditApiError(200, 'malformed-body', `The ${what} is not valid JSON.`)
  }
}

/** Reads a (small, error) body to text. */
async function readText(body: Readable): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of body) {
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function headerValue(res: Pick<HttpResponse, 'headers'>, name: string): string | undefined {
  const value = res.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** The server's clock from a response's Date header. */
export function serverDate(res: Pick<HttpResponse, 'headers'>): Date | null {
  const value = headerValue(res, 'date')
  const date = value ? new Date(value) : null
  return date && !Number.isNaN(date.getTime()) ? date : null
}
