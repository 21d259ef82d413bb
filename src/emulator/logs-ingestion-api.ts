/**
 * The Azure Monitor Logs Ingestion API, as a data collection endpoint (or a `kind: Direct` rule's
 * own endpoint) serves it: `POST /ingest/dataCollectionRules/{immutableId}/streams/{stream}
 * ?api-version=2023-01-01` with a JSON array of objects, optionally `Content-Encoding: gzip`.
 * Documented behaviour kept here (Logs Ingestion API overview, "Limits and restrictions";
 * Azure Monitor service limits, "Logs Ingestion API"):
 * - 204 No Content on success; the batch lands whole or not at all;
 * - a call over 1 MB, compressed or not, is refused with 413;
 * - requests and data per minute per rule are limited: 429 with `Retry-After` (seconds);
 * - the token's audience is `https://monitor.azure.com`; no token → 401; a caller without the
 *   Monitoring Metrics Publisher role on the rule → 403;
 * - fields not in the stream declaration are dropped; a `TimeGenerated` older than two days (or
 *   more than one day ahead) is replaced with the ingestion time;
 * - errors are `{ error: { code, message } }` with the code also in `x-ms-error-code`.
 * Rows land in the fake workspace's `_CL` table ({@link CustomTables}), so the query API fake
 * answers for them.
 */
import { randomUUID } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { gunzipSync } from 'node:zlib'

import { CLOUDS } from '../shared/clouds'

import type { EmulatorClock } from './clock'
import type { CustomColumn, CustomTables, DataCollectionRule } from './custom-tables'
import { DefinitionError } from './custom-tables'
import { bearerToken } from './http-util'
import { verifyRs256 } from './jwt'

/** The documented limits, and the throttling window the fake applies them over. */
export const LOGS_INGESTION_LIMITS = {
  /** Largest call, compressed or uncompressed. */
  maxBodyBytes: 1024 * 1024,
  /** Requests per rule per window (documented: 12,000 per minute). */
  requestsPerWindow: 12_000,
  /** Bytes per rule per window (documented: 2 GB per minute). */
  bytesPerWindow: 2 * 1024 * 1024 * 1024,
  windowMs: 60_000
}

const API_VERSION = '2023-01-01'
const DAY_MS = 86_400_000

/** One call the fake answered (for tests). */
export interface IngestionRequest {
  immutableId: string
  stream: string
  status: number
  rows: number
  bytes: number
  isGzip: boolean
  hadAuthorization: boolean
}

/** A scripted answer for a coming call (`after`: calls to let through first, default 0). */
export type IngestionFault = {
  status: 401 | 403 | 429 | 500 | 503
  retryAfterSeconds?: number
  after?: number
}

/** Test and admin controls of the fake (Emulator.logsIngestion). */
export interface LogsIngestionControls {
  /**
   * Deploys a custom table and a rule from the JSON an admin would deploy (the table's ARM body
   * and the DCR's), into the home workspace unless `workspaceId` is given. Returns the rule's
   * immutable id and the ingestion endpoint to call. Throws on a definition the service refuses.
   */
  deploy(input: { table: unknown; rule: unknown; workspaceId?: string }): {
    immutableId: string
    endpoint: string
  }
  /** Grants (true, the default for every app) or revokes Monitoring Metrics Publisher on a rule. */
  setPublisher(immutableId: string, appId: string, isPublisher: boolean): void
  setLimits(limits: Partial<typeof LOGS_INGESTION_LIMITS>): void
  /** Answers the next calls with these faults, in order. */
  failNext(faults: IngestionFault[]): void
  /** Calls answered, oldest first. */
  requests(): IngestionRequest[]
}

/** The fake Logs Ingestion API. */
export class LogsIngestionApi implements LogsIngestionControls {
  private limits = { ...LOGS_INGESTION_LIMITS }
  private faults: IngestionFault[] = []
  private readonly log: IngestionRequest[] = []
  private readonly revoked = new Set<string>()
  /** Per rule: the current window's start, requests and bytes. */
  private readonly usage = new Map<string, { since: number; requests: number; bytes: number }>()

  constructor(
    private readonly deps: {
      baseUrl: () => string
      clock: EmulatorClock
      publicKey: KeyObject
      tables: CustomTables
      homeWorkspaceId: string
      /** The tenant a workspace belongs to (a token of another tenant has no role there). */
      tenantOfWorkspace: (workspaceId: string) => string | undefined
    }
  ) {}

  deploy(input: { table: unknown; rule: unknown; workspaceId?: string }): {
    immutableId: string
    endpoint: string
  } {
    const workspaceId = input.workspaceId ?? this.deps.homeWorkspaceId
    this.deps.tables.defineTable(workspaceId, input.table)
    const rule = this.deps.tables.deployRule(workspaceId, input.rule)
    return { immutableId: rule.immutableId, endpoint: `${this.deps.baseUrl()}/ingest` }
  }

  setPublisher(immutableId: string, appId: string, isPublisher: boolean): void {
    const key = `${immutableId}|${appId.toLowerCase()}`
    if (isPublisher) {
      this.revoked.delete(key)
    } else {
      this.revoked.add(key)
    }
  }

  setLimits(limits: Partial<typeof LOGS_INGESTION_LIMITS>): void {
    this.limits = { ...this.limits, ...limits }
  }

  failNext(faults: IngestionFault[]): void {
    this.faults.push(...faults)
  }

  requests(): IngestionRequest[] {
    return [...this.log]
  }

  /** Handles `/ingest/...`; false otherwise. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (!url.pathname.startsWith('/ingest/')) {
      return false
    }
    const m = /^\/ingest\/dataCollectionRules\/([^/]+)\/streams\/([^/]+)$/.exec(url.pathname)
    const entry: IngestionRequest = {
      immutableId: m?.[1] ?? '',
      stream: decodeURIComponent(m?.[2] ?? ''),
      status: 0,
      rows: 0,
      bytes: 0,
      isGzip: false,
      hadAuthorization: req.headers.authorization !== undefined
    }
    this.log.push(entry)
    if (this.log.length > 10_000) {
      this.log.shift()
    }
    const fail = (
      status: number,
      code: string,
      message: string,
      headers: Record<string, string> = {}
    ): boolean => {
      entry.status = status
      drain(req)
      sendError(res, status, code, message, headers)
      return true
    }
    if (!m?.[1]) {
      return fail(404, 'NotFound', `The requested path does not exist: ${url.pathname}`)
    }
    if (req.method !== 'POST') {
      return fail(405, 'MethodNotAllowed', 'Use POST with a JSON array body.')
    }
    if (url.searchParams.get('api-version') !== API_VERSION) {
      return fail(
        400,
        'InvalidApiVersion',
        `The api-version query parameter must be ${API_VERSION}.`
      )
    }
    const claims = this.verify(bearerToken(req))
    if (!claims) {
      return fail(
        401,
        'InvalidToken',
        'The authentication token is missing, invalid, expired, or not for https://monitor.azure.com.'
      )
    }
    const rule = this.deps.tables.rule(m[1])
    if (!rule) {
      return fail(
        404,
        'InvalidDataCollectionRule',
        `Data collection rule with immutable Id '${m[1]}' not found.`
      )
    }
    if (
      this.revoked.has(`${rule.immutableId}|${claims.appid}`) ||
      claims.tid !== this.tenantOf(rule)
    ) {
      return fail(
        403,
        'OperationFailed',
        `The authentication token provided does not have access to ingest data for the data collection rule with immutable Id '${rule.immutableId}'.`
      )
    }
    const columns = rule.streams.get(entry.stream)
    const tableName = rule.flows.get(entry.stream)
    if (!columns || !tableName) {
      return fail(
        400,
        'InvalidStream',
        `Stream '${entry.stream}' is not declared in data collection rule '${rule.immutableId}'.`
      )
    }
    const next = this.faults[0]
    if (next && (next.after ?? 0) > 0) {
      next.after = (next.after ?? 0) - 1
    } else if (next) {
      this.faults.shift()
      const headers: Record<string, string> =
        next.status === 429 ? { 'Retry-After': String(next.retryAfterSeconds ?? 1) } : {}
      const [code, message] = FAULT_TEXT[next.status]
      return fail(next.status, code, message(rule.immutableId), headers)
    }
    const body = await readLimited(req, this.limits.maxBodyBytes)
    entry.bytes = body.bytes
    if (body.isTooLarge) {
      return fail(
        413,
        'ContentLengthLimitExceeded',
        `Maximum request body size is ${this.limits.maxBodyBytes} bytes (1 MB), compressed or uncompressed; split the data into smaller calls.`
      )
    }
    const usage = this.throttle(rule.immutableId, body.bytes)
    if (usage !== undefined) {
      return fail(
        429,
        'TooManyRequests',
        `The data collection rule '${rule.immutableId}' exceeded its requests or data per minute.`,
        { 'Retry-After': String(usage) }
      )
    }
    let text: Buffer = body.data
    const encoding = String(req.headers['content-encoding'] ?? '').toLowerCase()
    if (encoding === 'gzip') {
      entry.isGzip = true
      try {
        text = gunzipSync(body.data, { maxOutputLength: this.limits.maxBodyBytes + 1 })
      } catch (error) {
        const isTooLarge = (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE'
        return isTooLarge
          ? fail(
              413,
              'ContentLengthLimitExceeded',
              `Maximum request body size is ${this.limits.maxBodyBytes} bytes (1 MB), compressed or uncompressed; split the data into smaller calls.`
            )
          : fail(400, 'InvalidContentEncoding', 'The body is not valid gzip.')
      }
      if (text.length > this.limits.maxBodyBytes) {
        return fail(
          413,
          'ContentLengthLimitExceeded',
          `Maximum request body size is ${this.limits.maxBodyBytes} bytes (1 MB), compressed or uncompressed; split the data into smaller calls.`
        )
      }
    } else if (encoding !== '' && encoding !== 'identity') {
      return fail(400, 'InvalidContentEncoding', `Content-Encoding '${encoding}' is not supported.`)
    }
    let items: unknown
    try {
      items = JSON.parse(text.toString('utf8'))
    } catch {
      return fail(400, 'InvalidPayload', 'The body is not valid JSON.')
    }
    if (
      !Array.isArray(items) ||
      !items.every((i) => i !== null && typeof i === 'object' && !Array.isArray(i))
    ) {
      return fail(400, 'InvalidPayload', 'The body must be a JSON array of objects.')
    }
    const table = this.deps.tables.table(rule.workspaceId, tableName)
    if (!table) {
      return fail(500, 'InternalServerError', `The destination table ${tableName} is gone.`)
    }
    const now = this.deps.clock.now().getTime()
    const rows = (items as Array<Record<string, unknown>>).map((item) =>
      table.columns.map((c) => landValue(c, columns, item, now))
    )
    table.rows.push(...rows)
    entry.rows = rows.length
    entry.status = 204
    res.writeHead(204, { 'x-ms-request-id': randomUUID() })
    res.end()
    return true
  }

  private tenantOf(rule: DataCollectionRule): string | undefined {
    return this.deps.tenantOfWorkspace(rule.workspaceId)?.toLowerCase()
  }

  private verify(token: string | undefined): { tid: string; appid: string } | undefined {
    if (!token) {
      return undefined
    }
    const claims = verifyRs256(token, this.deps.publicKey)
    const audiences = [
      CLOUDS.commercial.logsIngestionResource,
      `${CLOUDS.commercial.logsIngestionResource}/`
    ]
    if (!claims || typeof claims.aud !== 'string' || !audiences.includes(claims.aud)) {
      return undefined
    }
    const now = Math.floor(this.deps.clock.now().getTime() / 1000)
    const exp = typeof claims.exp === 'number' ? claims.exp : 0
    if (now > exp + 300 || typeof claims.tid !== 'string') {
      return undefined
    }
    return { tid: claims.tid.toLowerCase(), appid: String(claims.appid ?? '').toLowerCase() }
  }

  /** Seconds to wait when this call goes over the rule's window; undefined when it fits. */
  private throttle(immutableId: string, bytes: number): number | undefined {
    const now = Date.now()
    let u = this.usage.get(immutableId)
    if (!u || now - u.since >= this.limits.windowMs) {
      u = { since: now, requests: 0, bytes: 0 }
      this.usage.set(immutableId, u)
    }
    if (
      u.requests + 1 > this.limits.requestsPerWindow ||
      u.bytes + bytes > this.limits.bytesPerWindow
    ) {
      return Math.max(1, Math.ceil((u.since + this.limits.windowMs - now) / 1000))
    }
    u.requests++
    u.bytes += bytes
    return undefined
  }
}

const FAULT_TEXT: Record<IngestionFault['status'], [string, (rule: string) => string]> = {
  401: ['InvalidToken', () => 'The authentication token is missing, invalid or expired.'],
  403: [
    'OperationFailed',
    (rule) =>
      `The authentication token provided does not have access to ingest data for the data collection rule with immutable Id '${rule}'.`
  ],
  429: ['TooManyRequests', () => 'The request was throttled. Retry after the time in Retry-After.'],
  500: ['InternalServerError', () => 'An internal error occurred.'],
  503: ['ServiceUnavailable', () => 'The service is temporarily unavailable.']
}

/** The value a table column gets from one item: declared stream fields only, typed loosely. */
function landValue(
  column: CustomColumn,
  declared: readonly CustomColumn[],
  item: Record<string, unknown>,
  now: number
): unknown {
  const isDeclared = declared.some((d) => d.name === column.name)
  const value = isDeclared ? item[column.name] : undefined
  if (column.name === 'TimeGenerated') {
    const t = typeof value === 'string' ? Date.parse(value) : Number.NaN
    // Ingestion rewrites a missing, older-than-two-days or more-than-a-day-ahead time.
    const at = Number.isNaN(t) || t < now - 2 * DAY_MS || t > now + DAY_MS ? now : t
    return new Date(at).toISOString()
  }
  if (value === undefined || value === null) {
    return null
  }
  switch (column.type) {
    case 'datetime': {
      const t =
        typeof value === 'string' || typeof value === 'number'
          ? Date.parse(String(value))
          : Number.NaN
      return Number.isNaN(t) ? null : new Date(t).toISOString()
    }
    case 'int':
    case 'long':
    case 'real': {
      const n = Number(value)
      return Number.isFinite(n) ? n : null
    }
    case 'boolean':
      return value === true || value === 'true' || value === 'True'
    case 'dynamic':
      // The query API returns dynamic values as JSON text.
      return typeof value === 'string' ? value : JSON.stringify(value)
    default:
      return typeof value === 'string' ? value : JSON.stringify(value)
  }
}

function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string>
): void {
  const text = JSON.stringify({ error: { code, message } })
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'x-ms-error-code': code,
    ...headers
  })
  res.end(text)
}

/** Reads at most `max` bytes; past that, the rest is discarded (bounded) and `isTooLarge` set. */
function readLimited(
  req: IncomingMessage,
  max: number
): Promise<{ data: Buffer; bytes: number; isTooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let bytes = 0
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length
      if (bytes <= max) {
        chunks.push(chunk)
      } else if (bytes > 64 * max) {
        req.destroy()
      }
    })
    const done = (): void =>
      resolve({ data: Buffer.concat(chunks), bytes, isTooLarge: bytes > max })
    req.on('end', done)
    // Destroyed past the bound: answer 413 all the same (the client may not read it).
    req.on('close', done)
    req.on('error', (error) => (bytes > max ? done() : reject(error)))
  })
}

/** Lets an unread body go (so the answer reaches the client), bounded. */
function drain(req: IncomingMessage): void {
  if (req.readableEnded) {
    return
  }
  let bytes = 0
  req.on('data', (chunk: Buffer) => {
    bytes += chunk.length
    if (bytes > 64 * 1024 * 1024) {
      req.destroy()
    }
  })
  req.resume()
}

export { DefinitionError }
