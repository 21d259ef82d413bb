import type { IncomingMessage, ServerResponse } from 'node:http'
import type { KeyObject } from 'node:crypto'

import { CLOUDS } from '../shared/clouds'

import type { EmulatorClock } from './clock'
import { ContentStore } from './content-store'
import type { ContentType } from './generator'
import { bearerToken, isGuid, queryParam, sendJson } from './http-util'
import { Rng } from './prng'
import { verifyAccessToken } from './resource-auth'
import type { FaultConfig } from './scenarios'
import { SpanFaultPicker } from './span-faults'

/** One logged Management API request (for tests asserting PublisherIdentifier use, counts). */
export interface RequestLogEntry {
  at: string
  method: string
  path: string
  publisherIdentifier: string | undefined
  status: number
}

const DAY = 86_400_000
const ZERO_GUID = '00000000-0000-0000-0000-000000000000'
const DENIED = { Message: 'Authorization has been denied for this request.' }

type BodyFault = 'reset' | 'truncate' | 'malformed' | undefined

/**
 * The Office 365 Management Activity API under `/manage/api/v1.0/{tenant}/activity/feed`
 * (reference/management-api.md §2 and the §6 emulator checklist).
 */
export class ManagementApi {
  private entries: RequestLogEntry[] = []
  private readonly buckets = new Map<string, { tokens: number; at: number }>()
  private readonly rng: Rng
  private readonly spanFaults = new SpanFaultPicker()

  constructor(
    private readonly deps: {
      baseUrl: () => string
      clock: EmulatorClock
      publicKey: KeyObject
      /** Content per tenant id (lower-case). */
      stores: ReadonlyMap<string, ContentStore>
      faults: () => FaultConfig
      seed: number
      /** How many entries {@link log} keeps (oldest dropped first). */
      logLimit: number
    }
  ) {
    this.rng = new Rng(deps.seed ^ 0x5eed)
  }

  /** The request log: the last `logLimit` requests, oldest first. */
  get log(): RequestLogEntry[] {
    const limit = this.deps.logLimit
    return this.entries.length > limit ? this.entries.slice(-limit) : this.entries
  }

  /**
   * Appends to the log. Old entries are dropped in chunks (amortised O(1) per request, where a
   * `shift()` per request would cost O(limit) with a large cap).
   */
  private remember(entry: RequestLogEntry): void {
    const limit = this.deps.logLimit
    if (limit <= 0) {
      return
    }
    this.entries.push(entry)
    if (this.entries.length >= limit + Math.max(1, Math.min(limit, 4096))) {
      this.entries = this.entries.slice(-limit)
    }
  }

  /** Handles `/manage/...`; returns false for other paths. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const m = /^\/manage\/api\/v1\.0\/([^/]+)\/activity\/feed\/(.+)$/.exec(url.pathname)
    if (!url.pathname.startsWith('/manage/')) {
      return false
    }
    const publisher = queryParam(url, 'PublisherIdentifier')
    const entry: RequestLogEntry = {
      at: this.deps.clock.now().toISOString(),
      method: req.method ?? 'GET',
      path: url.pathname + url.search,
      publisherIdentifier: publisher,
      status: 0
    }
    this.remember(entry)
    const send = (
      status: number,
      body: unknown,
      headers: Record<string, string> = {},
      fault?: BodyFault
    ): void => {
      entry.status = status
      this.send(res, status, body, headers, fault)
    }
    if (!m?.[1] || !m[2]) {
      send(404, { error: { code: 'NotFound', message: 'Resource not found.' } })
      return true
    }
    const tenant = decodeURIComponent(m[1])
    const rest = decodeURIComponent(m[2])
    const faults = this.deps.faults()

    const claims = verifyAccessToken(
      bearerToken(req),
      this.deps.publicKey,
      this.deps.clock,
      CLOUDS.commercial.managementResource
    )
    if (!claims) {
      send(401, DENIED)
      return true
    }
    if (!isGuid(tenant)) {
      send(400, afError('AF20013', `Tenant ID is not a valid GUID: ${tenant}.`))
      return true
    }
    if (claims.tid.toLowerCase() !== tenant.toLowerCase()) {
      send(
        401,
        afError(
          'AF20010',
          'The tenant ID passed in the URL does not match the tenant ID passed in the access token.'
        )
      )
      return true
    }
    const store = this.deps.stores.get(tenant.toLowerCase())
    if (!store) {
      send(
        400,
        afError(
          'AF20011',
          `Specified tenant ID (${tenant}) does not exist in the system or has been deleted.`
        )
      )
      return true
    }
    if (!claims.permissions.includes('ActivityFeed.Read')) {
      send(
        401,
        afError(
          'AF10001',
          'The permission set () sent in the request does not include the expected permission ActivityFeed.Read.'
        )
      )
      return true
    }
    if (faults.auditingDisabled) {
      send(
        400,
        afError(
          'AF20011',
          `Microsoft.Office.Compliance.Audit.DataServiceException: Tenant ${tenant} does not exist.`
        )
      )
      return true
    }
    if (!this.takeToken(tenant, publisher, faults)) {
      const headers: Record<string, string> = {}
      if (faults.retryAfterSeconds !== undefined) {
        headers['Retry-After'] = String(faults.retryAfterSeconds)
      }
      send(
        faults.throttleStatus,
        afError(
          'AF429',
          `Too many requests. Method=${req.method ?? 'GET'}, PublisherId=${publisher ?? ZERO_GUID}`
        ),
        headers
      )
      return true
    }
    const fault = this.pickFault(faults)
    if (fault === 'slow') {
      await new Promise((r) => setTimeout(r, faults.slowMs))
    } else if (fault === 'reset') {
      entry.status = -1
      res.socket?.destroy()
      return true
    } else if (fault && fault !== 'truncate' && fault !== 'malformed') {
      this.sendServerFault(res, fault, entry)
      return true
    }
    const bodyFault: BodyFault =
      fault === 'truncate' || fault === 'malformed' ? fault : this.randomBodyFault(rest, faults)
    const serverFault = (kind: string): void => this.sendServerFault(res, kind, entry)
    await this.route(
      req,
      url,
      rest,
      tenant,
      store,
      claims.permissions,
      faults,
      send,
      bodyFault,
      serverFault
    )
    return true
  }

  private async route(
    req: IncomingMessage,
    url: URL,
    rest: string,
    tenant: string,
    store: ContentStore,
    permissions: string[],
    faults: FaultConfig,
    send: (
      status: number,
      body: unknown,
      headers?: Record<string, string>,
      fault?: BodyFault
    ) => void,
    bodyFault: BodyFault,
    serverFault: (kind: string) => void
  ): Promise<void> {
    const method = req.method ?? 'GET'
    const contentTypeArg = queryParam(url, 'contentType')
    const needContentType = (): ContentType | undefined => {
      if (contentTypeArg === undefined || contentTypeArg === '') {
        send(400, afError('AF20001', 'Missing parameter: contentType.'))
        return undefined
      }
      const ct = ContentStore.canonical(contentTypeArg)
      if (!ct) {
        send(400, afError('AF20020', `The specified content type is not valid: ${contentTypeArg}.`))
        return undefined
      }
      if (
        ct === 'DLP.All' &&
        faults.requireDlpScopeForDlpAll &&
        !permissions.includes('ActivityFeed.ReadDlp')
      ) {
        send(
          401,
          afError(
            'AF10001',
            'The permission set sent in the request does not include the expected permission ActivityFeed.ReadDlp.'
          )
        )
        return undefined
      }
      return ct
    }
    if (rest === 'subscriptions/start' && method === 'POST') {
      const ct = needContentType()
      if (!ct) {
        return
      }
      if (store.start(ct) === 'unchanged') {
        send(400, afError('AF20024', 'The subscription is already enabled. No property change.'))
        return
      }
      // The service echoes the caller's spelling of the content type (reference §2.4).
      send(200, { contentType: contentTypeArg, status: 'enabled', webhook: null })
      return
    }
    if (rest === 'subscriptions/stop' && method === 'POST') {
      const ct = needContentType()
      if (!ct) {
        return
      }
      if (!store.stop(ct)) {
        send(400, afError('AF20022', 'No subscription found for the specified content type.'))
        return
      }
      send(200, undefined)
      return
    }
    if (rest === 'subscriptions/list' && method === 'GET') {
      send(200, store.list())
      return
    }
    if (
      (rest === 'subscriptions/content' || rest === 'subscriptions/notifications') &&
      method === 'GET'
    ) {
      const ct = needContentType()
      if (!ct) {
        return
      }
      const window = this.parseWindow(url, faults)
      if ('code' in window) {
        send(400, afError(window.code, window.message))
        return
      }
      const aimed = this.spanFaults.pick(faults.listingFaults, window.start, window.end)
      if (aimed && rest === 'subscriptions/content') {
        serverFault(aimed)
        return
      }
      const serving = store.serving(ct)
      if (serving !== 'ok') {
        send(
          400,
          afError(
            serving,
            serving === 'AF20022'
              ? 'No subscription found for the specified content type.'
              : 'The subscription is disabled.'
          )
        )
        return
      }
      if (rest === 'subscriptions/notifications') {
        // Webhooks are not emulated: no notification history.
        send(200, [])
        return
      }
      const all = store.listBlobs(ct, window.start, window.end)
      const token = queryParam(url, 'nextPage')
      let offset = 0
      if (token !== undefined) {
        const parsed = parsePageToken(token, window.start)
        if (parsed === undefined || parsed > all.length) {
          send(400, afError('AF20031', 'Invalid nextPage Input: ' + token + '.'))
          return
        }
        offset = parsed
      }
      const page = all.slice(offset, offset + faults.pageSize)
      const feed = `/manage/api/v1.0/${tenant}/activity/feed`
      const base = `${this.deps.baseUrl()}${feed}`
      const linkBase = (kind: 'contentUri' | 'nextPageUri'): string =>
        faults.foreignLinks?.kinds.includes(kind) ? `${faults.foreignLinks.base}${feed}` : base
      const items = page.map((plan) => {
        const id = store.contentId(plan)
        return {
          contentType: contentTypeArg,
          contentId: id,
          contentUri: `${linkBase('contentUri')}/audit/${id}`,
          contentCreated: new Date(plan.contentCreated).toISOString(),
          contentExpiration: new Date(plan.contentCreated + 7 * DAY).toISOString()
        }
      })
      const headers: Record<string, string> = {}
      if (offset + page.length < all.length) {
        const next = new URLSearchParams({
          contentType: contentTypeArg ?? ct,
          startTime: fmtWindow(window.start),
          endTime: fmtWindow(window.end),
          nextPage: pageToken(window.start, offset + page.length)
        })
        headers[faults.nextPageHeader] =
          `${linkBase('nextPageUri')}/subscriptions/content?${next.toString()}`
      }
      send(200, items, headers, bodyFault)
      return
    }
    if (rest.startsWith('audit/') && method === 'GET') {
      const found = store.lookup(rest.slice('audit/'.length))
      if (!found.ok) {
        const messages: Record<string, [number, string]> = {
          AF20050: [404, 'The specified content does not exist.'],
          AF20051: [
            400,
            'Content requested with the key ' +
              rest.slice(6) +
              ' has already expired. Content older than 7 days cannot be retrieved.'
          ],
          AF20052: [400, 'Blob key ' + rest.slice(6) + ' in the url is invalid.'],
          AF20022: [400, 'No subscription found for the specified content type.'],
          AF20023: [400, 'The subscription is disabled.']
        }
        const [status, message] = messages[found.code] ?? [400, 'Bad request.']
        send(status, afError(found.code, message))
        return
      }
      send(200, found.records, {}, bodyFault)
      return
    }
    if (rest === 'resources/dlpSensitiveTypes' && method === 'GET') {
      const lang = req.headers['accept-language']
      if (typeof lang === 'string' && lang.includes(',')) {
        send(
          400,
          afError('AF20053', 'Only one language may be present in the Accept-Language header.')
        )
        return
      }
      if (typeof lang === 'string' && !/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/.test(lang)) {
        send(
          400,
          afError(
            'AF20054',
            `Invalid syntax for culture name in the Accept-Language header: ${lang}.`
          )
        )
        return
      }
      send(200, [
        { id: '50842eb7-edc8-4019-85dd-5a5c1f2bb085', name: 'CreditCardNumber' },
        { id: 'a44669fe-0d48-453d-a9b1-2cc83f2cba77', name: 'U.S. Social Security Number (SSN)' },
        {
          id: 'e7dc4711-11b7-4cb0-b88b-2c394a771f0e',
          name: 'International Banking Account Number (IBAN)'
        }
      ])
      return
    }
    send(404, { error: { code: 'NotFound', message: `Unknown operation ${method} ${rest}.` } })
  }

  private parseWindow(
    url: URL,
    faults: FaultConfig
  ): { start: number; end: number } | { code: string; message: string } {
    const startArg = queryParam(url, 'startTime')
    const endArg = queryParam(url, 'endTime')
    const now = this.deps.clock.now().getTime()
    const rule =
      'Start time and end time must both be specified (or both omitted) and must be less than or equal to 24 hours apart, with the start time no more than 7 days in the past.'
    if (startArg === undefined && endArg === undefined) {
      if (faults.omittedWindow === 'error') {
        return { code: 'AF20030', message: rule }
      }
      const midnight = Date.UTC(
        new Date(now).getUTCFullYear(),
        new Date(now).getUTCMonth(),
        new Date(now).getUTCDate()
      )
      return { start: faults.omittedWindow === 'sinceMidnight' ? midnight : now - DAY, end: now }
    }
    if (startArg === undefined || endArg === undefined) {
      return { code: 'AF20030', message: rule }
    }
    const start = parseApiTime(startArg, faults.strictDates)
    if (start === undefined) {
      return {
        code: 'AF20002',
        message: 'Invalid parameter type: startTime. Expected type: datetime'
      }
    }
    const end = parseApiTime(endArg, faults.strictDates)
    if (end === undefined) {
      return {
        code: 'AF20002',
        message: 'Invalid parameter type: endTime. Expected type: datetime'
      }
    }
    if (end - start > DAY) {
      return { code: 'AF20030', message: rule }
    }
    if (start >= end) {
      return { code: 'AF20055', message: 'Start time must be earlier than end time.' }
    }
    if (start < now - 7 * DAY - faults.windowSlackMinutes * 60_000) {
      return { code: 'AF20055', message: rule }
    }
    return { start, end }
  }

  private takeToken(tenant: string, publisher: string | undefined, faults: FaultConfig): boolean {
    const key = `${tenant}|${publisher ?? 'shared'}`
    const capacity = publisher ? faults.publisherBudgetPerMinute : faults.sharedBudgetPerMinute
    const now = this.deps.clock.now().getTime()
    const bucket = this.buckets.get(key) ?? { tokens: capacity, at: now }
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) / 60_000) * capacity)
    bucket.at = now
    this.buckets.set(key, bucket)
    if (bucket.tokens < 1) {
      return false
    }
    bucket.tokens -= 1
    return true
  }

  private pickFault(faults: FaultConfig): FaultConfig['failNext'][number] | undefined {
    const queued = faults.failNext.shift()
    if (queued) {
      return queued
    }
    if (faults.errorRate > 0 && this.rng.chance(faults.errorRate)) {
      return this.rng.pick(faults.errorKinds)
    }
    if (faults.slowRate > 0 && this.rng.chance(faults.slowRate)) {
      return 'slow'
    }
    return undefined
  }

  private randomBodyFault(rest: string, faults: FaultConfig): BodyFault {
    if (!rest.startsWith('audit/')) {
      return undefined
    }
    const r = this.rng.next()
    if (r < faults.resetRate) {
      return 'reset'
    }
    if (r < faults.resetRate + faults.truncateRate) {
      return 'truncate'
    }
    if (r < faults.resetRate + faults.truncateRate + faults.malformedJsonRate) {
      return 'malformed'
    }
    return undefined
  }

  private sendServerFault(res: ServerResponse, kind: string, entry: RequestLogEntry): void {
    if (kind === 'html' || kind === '503') {
      const html =
        '<html><head><title>Service Unavailable</title></head><body><h2>Service Unavailable</h2><p>HTTP Error 503. The service is unavailable.</p></body></html>'
      entry.status = 503
      res.writeHead(503, { 'Content-Type': 'text/html' })
      res.end(kind === 'html' ? html : '')
      return
    }
    if (kind === '408') {
      entry.status = 408
      sendJson(res, 408, { error: { code: 'RequestTimeout', message: 'The request timed out.' } })
      return
    }
    entry.status = 500
    const message =
      kind === 'AF50000'
        ? 'An internal error occurred. Retry the request.'
        : 'An internal server error occurred.'
    sendJson(res, 500, afError(kind, message))
  }

  private send(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string>,
    fault: BodyFault
  ): void {
    if (!fault || status !== 200) {
      sendJson(res, status, body, headers)
      return
    }
    const text = JSON.stringify(body)
    const bytes = Buffer.from(text)
    if (fault === 'malformed') {
      const broken =
        text.slice(0, Math.max(1, Math.floor(text.length * 0.6))) + '<!-- upstream error -->'
      res.writeHead(200, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': String(Buffer.byteLength(broken)),
        ...headers
      })
      res.end(broken)
      return
    }
    res.writeHead(200, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(bytes.length),
      ...headers
    })
    const half = bytes.subarray(0, Math.floor(bytes.length / 2))
    res.write(half, () => {
      // truncate: the socket ends early; reset: it is destroyed (ECONNRESET on the client).
      if (fault === 'reset') {
        res.socket?.destroy()
      } else {
        res.socket?.end()
      }
    })
  }
}

function afError(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } }
}

/** Parses a Management API time; undefined when the format is not accepted. */
export function parseApiTime(value: string, isStrict: boolean): number | undefined {
  const documented = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/
  const lenient =
    /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})?$/
  if (documented.test(value)) {
    const ms = Date.parse(
      value.length === 10 ? `${value}T00:00:00Z` : `${value}${value.length === 16 ? ':00' : ''}Z`
    )
    return Number.isNaN(ms) ? undefined : ms
  }
  if (isStrict || !lenient.test(value)) {
    return undefined
  }
  const hasZone = /(Z|[+-]\d{2}:\d{2})$/.test(value)
  const ms = Date.parse(hasZone ? value : `${value}Z`)
  return Number.isNaN(ms) ? undefined : ms
}

function fmtWindow(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19)
}

/** Opaque page token: `yyyyMMddHH` of the window start, 'R', offset, check digits. */
function pageToken(start: number, offset: number): string {
  const head = new Date(start).toISOString().slice(0, 13).replace(/[-T]/g, '')
  const body = String(offset).padStart(9, '0')
  const check = String((Number(head.slice(-4)) * 31 + offset * 7) % 1000).padStart(3, '0')
  return `${head}R${body}${check}`
}

function parsePageToken(token: string, start: number): number | undefined {
  const m = /^(\d{10})R(\d{9})(\d{3})$/.exec(token)
  if (!m?.[2]) {
    return undefined
  }
  const offset = Number(m[2])
  return pageToken(start, offset) === token ? offset : undefined
}
