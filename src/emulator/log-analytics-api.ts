import { randomUUID } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'

import { CLOUDS } from '../shared/clouds'

import type { EmulatorClock } from './clock'
import { generateHour, hourCount, hourOf } from './generator'
import type { AuditRecord, GeneratorConfig, TenantWorld } from './generator'
import { bearerToken, readBody, sendJson } from './http-util'
import { KqlError, parseKql, parseTimespan, withinBounds } from './log-analytics-kql'
import type { KqlDataQuery, KqlQuery } from './log-analytics-kql'
import type { CustomTable, CustomTables } from './custom-tables'
import { verifyAccessToken } from './resource-auth'

/**
 * The Azure Monitor Logs (Log Analytics) query API, `POST /loganalytics/v1/workspaces/{id}/query`,
 * over the Power Platform tables a Microsoft Sentinel workspace fills from the Office 365
 * connector: rows derived from the same seeded generator as the Management and Graph fakes, so
 * the UAL record Id (`EventOriginalUid`) matches their ground truth. Documented shapes: success
 * `{ tables: [{ name, columns: [{ name, type }], rows }] }`; a result over the row or size limit
 * is cut and answered 200 with the rows so far plus `error.code = 'PartialError'`; refusals are
 * OneAPI error objects (docs/emulator.md, "Log Analytics query API").
 */

const HOUR = 3_600_000

/** The service's documented limits: 500,000 rows and ~64 MB of result per query. */
export const LOG_ANALYTICS_LIMITS = { maxRows: 500_000, maxBytes: 64 * 1024 * 1024 }

/** Column name and Kusto type, in table order. */
type Column = readonly [
  string,
  'string' | 'datetime' | 'dynamic' | 'bool' | 'boolean' | 'real' | 'int' | 'long' | 'guid'
]

const COMMON: readonly Column[] = [
  ['TenantId', 'string'],
  ['TimeGenerated', 'datetime'],
  ['ActorName', 'string'],
  ['ActorUserId', 'string'],
  ['ActorUserType', 'string'],
  ['EventOriginalType', 'string'],
  ['EventOriginalUid', 'string'],
  ['EventResult', 'string'],
  ['OrganizationId', 'string'],
  ['RecordType', 'string'],
  ['Workload', 'string'],
  ['SourceSystem', 'string'],
  ['Type', 'string'],
  ['_BilledSize', 'real'],
  ['_IsBillable', 'string']
]

/**
 * The tables served, their columns (Azure Monitor table reference), which records land there and
 * the column holding the UAL record Id (`EventOriginalUid`; `OfficeId` in `OfficeActivity`).
 */
const TABLES: Record<
  string,
  { columns: readonly Column[]; recordTypes: readonly number[]; idColumn?: string }
> = {
  OfficeActivity: {
    // The Office 365 connector's own table: UAL names with Office prefixes, strings throughout.
    // Power Platform admin and flow records land here as well as in their own tables, so a pull
    // of both must store each UAL Id once.
    columns: [
      ['TenantId', 'string'],
      ['TimeGenerated', 'datetime'],
      ['OfficeId', 'string'],
      ['Operation', 'string'],
      ['RecordType', 'string'],
      ['UserId', 'string'],
      ['UserKey', 'string'],
      ['UserType', 'string'],
      ['OfficeWorkload', 'string'],
      ['OrganizationId', 'string'],
      ['OfficeTenantId', 'string'],
      ['ResultStatus', 'string'],
      ['ClientIP', 'string'],
      ['OfficeObjectId', 'string'],
      ['SourceSystem', 'string'],
      ['Type', 'string'],
      ['_BilledSize', 'real'],
      ['_IsBillable', 'string']
    ],
    recordTypes: [256, 30],
    idColumn: 'OfficeId'
  },
  PowerPlatformAdminActivity: {
    columns: [
      ...COMMON,
      ['PropertyCollection', 'dynamic'],
      ['RequiresCustomerKeyEncryption', 'bool']
    ],
    recordTypes: [256, 79]
  },
  PowerAutomateActivity: {
    columns: [
      ...COMMON,
      ['AdditionalInfo', 'dynamic'],
      ['FlowConnectorNames', 'string'],
      ['FlowDetailsUrl', 'string'],
      ['LicenseDisplayName', 'string'],
      ['ObjectId', 'string'],
      ['RecipientUpn', 'string'],
      ['SharingPermission', 'string'],
      ['SrcIpAddr', 'string'],
      ['UserUpn', 'string']
    ],
    recordTypes: [30]
  },
  PowerAppsActivity: {
    columns: [...COMMON, ['PropertyCollection', 'dynamic'], ['SrcIpAddr', 'string']],
    recordTypes: [45, 187]
  }
}

const RECORD_TYPE_NAMES: Record<number, string> = {
  30: 'MicrosoftFlow',
  45: 'PowerAppsApp',
  79: 'PowerPlatformAdminDlp',
  187: 'PowerAppsResource',
  256: 'PowerPlatformAdministratorActivity'
}
const USER_TYPES = ['Regular', 'Reserved', 'Admin', 'DcAdmin', 'System', 'Application']

/** A workspace: its id and the tenant whose activity it holds. */
export interface FakeWorkspace {
  workspaceId: string
  tenantId: string
  cfg: GeneratorConfig
  world: TenantWorld
}

/** One request the fake answered (for tests). */
export interface LogAnalyticsRequest {
  workspaceId: string
  query: string
  status: number
  rows: number
  partial: boolean
  /** Whether the request carried an Authorization header at all. */
  hadAuthorization: boolean
}

/** A scripted answer for the next query: an HTTP error, or a PartialError with half the rows. */
export type LogAnalyticsFault =
  { status: 401 | 403 | 429 | 500 | 503 | 504; retryAfterSeconds?: number } | { partialError: true }

/** Test controls of the fake (Emulator.logAnalytics). */
export interface LogAnalyticsControls {
  /** Lowers (or restores) the row and size limits, to exercise splitting with little data. */
  setLimits(limits: Partial<typeof LOG_ANALYTICS_LIMITS>): void
  /** Answers the next queries (data queries only unless `everyQuery`) with these faults, in order. */
  failNext(faults: LogAnalyticsFault[]): void
  /** Requests answered, oldest first. */
  requests(): LogAnalyticsRequest[]
  /** Unique UAL Ids (EventOriginalUid / OfficeId) of `table` with TimeGenerated in [start, end). */
  groundTruth(table: string, start: Date, end: Date): Set<string>
}

/** The fake Log Analytics query API. */
export class LogAnalyticsApi implements LogAnalyticsControls {
  private limits = { ...LOG_ANALYTICS_LIMITS }
  private faults: LogAnalyticsFault[] = []
  private readonly log: LogAnalyticsRequest[] = []
  /** Rows per (workspace, table, hour), built once: the generator is deterministic. */
  private readonly cache = new Map<string, unknown[][]>()

  constructor(
    private readonly deps: {
      clock: EmulatorClock
      publicKey: KeyObject
      workspaces: readonly FakeWorkspace[]
      /** The workspaces' `_CL` tables, filled through the Logs Ingestion API fake. */
      customTables: CustomTables
    }
  ) {}

  setLimits(limits: Partial<typeof LOG_ANALYTICS_LIMITS>): void {
    this.limits = { ...this.limits, ...limits }
  }

  failNext(faults: LogAnalyticsFault[]): void {
    this.faults.push(...faults)
  }

  requests(): LogAnalyticsRequest[] {
    return [...this.log]
  }

  groundTruth(table: string, start: Date, end: Date): Set<string> {
    const ws = this.deps.workspaces[0]
    const out = new Set<string>()
    if (!ws || !TABLES[table]) {
      return out
    }
    const idIndex = columnIndex(table, TABLES[table]?.idColumn ?? 'EventOriginalUid')
    for (const row of this.rows(ws, table, start.getTime(), end.getTime())) {
      out.add(String(row[idIndex]))
    }
    return out
  }

  /** Handles `/loganalytics/...`; false otherwise. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (!url.pathname.startsWith('/loganalytics/')) {
      return false
    }
    const m = /^\/loganalytics\/v1\/workspaces\/([^/]+)\/query$/.exec(url.pathname)
    const entry: LogAnalyticsRequest = {
      workspaceId: m?.[1] ?? '',
      query: '',
      status: 0,
      rows: 0,
      partial: false,
      hadAuthorization: req.headers.authorization !== undefined
    }
    this.log.push(entry)
    if (this.log.length > 10_000) {
      this.log.shift()
    }
    const fail = (status: number, code: string, message: string, extra = {}): boolean => {
      entry.status = status
      this.error(res, status, code, message, extra)
      return true
    }
    if (!m?.[1]) {
      return fail(404, 'PathNotFoundError', `The requested path does not exist: ${url.pathname}`)
    }
    if (req.method !== 'POST') {
      return fail(405, 'MethodNotAllowed', 'Use POST with a JSON body { query, timespan }.')
    }
    const claims = verifyAccessToken(
      bearerToken(req),
      this.deps.publicKey,
      this.deps.clock,
      CLOUDS.commercial.logAnalyticsResource
    )
    if (!claims) {
      return fail(401, 'AuthorizationRequiredError', 'Valid authentication was not provided')
    }
    const ws = this.deps.workspaces.find((w) => w.workspaceId === m[1]?.toLowerCase())
    if (
      !ws ||
      ws.tenantId !== claims.tid.toLowerCase() ||
      !claims.permissions.includes('Data.Read')
    ) {
      return fail(
        403,
        'InsufficientAccessError',
        'The provided credentials have insufficient access to perform the requested operation'
      )
    }
    let body: unknown
    try {
      body = JSON.parse(await readBody(req))
    } catch {
      return fail(400, 'BadArgumentError', 'The request body is not valid JSON.')
    }
    const query = (body as { query?: unknown } | null)?.query
    const timespan = (body as { timespan?: unknown } | null)?.timespan
    if (typeof query !== 'string' || query.trim() === '') {
      return fail(400, 'BadArgumentError', "The request had some invalid properties: 'query'")
    }
    entry.query = query
    let parsed: KqlQuery
    let span = { start: Number.NEGATIVE_INFINITY, end: Number.POSITIVE_INFINITY }
    try {
      parsed = parseKql(query)
      if (typeof timespan === 'string') {
        span = parseTimespan(timespan)
      } else if (timespan !== undefined) {
        throw new KqlError('SyntaxError', 'timespan must be an ISO 8601 interval string')
      }
    } catch (error) {
      if (!(error instanceof KqlError)) {
        throw error
      }
      return fail(400, 'BadArgumentError', 'The request had some invalid properties', {
        innererror: { code: error.innerCode, message: error.message }
      })
    }
    const builtIn = TABLES[parsed.table]
    const custom = builtIn ? undefined : this.deps.customTables.table(ws.workspaceId, parsed.table)
    const table = builtIn ?? (custom ? { columns: customColumns(custom) } : undefined)
    if (!table) {
      return fail(400, 'BadArgumentError', 'The request had some invalid properties', {
        innererror: {
          code: 'SemanticError',
          message: `'${parsed.table}' operator: Failed to resolve table or column expression named '${parsed.table}'`
        }
      })
    }
    const fault = parsed.kind === 'rows' ? this.faults.shift() : undefined
    if (fault && 'status' in fault) {
      const headers: Record<string, string> =
        fault.status === 429 ? { 'Retry-After': String(fault.retryAfterSeconds ?? 1) } : {}
      const [code, message] = FAULT_TEXT[fault.status] ?? ['Error', 'Error']
      entry.status = fault.status
      this.error(res, fault.status, code, message, {}, headers)
      return true
    }
    entry.status = 200
    if (parsed.kind === 'getschema') {
      const rows = table.columns.map(([name, type], i) => [name, i, kustoType(type), type])
      entry.rows = rows.length
      sendJson(res, 200, {
        tables: [
          {
            name: 'PrimaryResult',
            columns: [
              { name: 'ColumnName', type: 'string' },
              { name: 'ColumnOrdinal', type: 'int' },
              { name: 'DataType', type: 'string' },
              { name: 'ColumnType', type: 'string' }
            ],
            rows
          }
        ]
      })
      return true
    }
    const names = table.columns.map(([name]) => name)
    const unknown = [...parsed.equals.map((e) => e.column), parsed.byColumn]
      .filter((c) => c !== '')
      .find((c) => !names.includes(c))
    if (unknown !== undefined) {
      return fail(400, 'BadArgumentError', 'The request had some invalid properties', {
        innererror: {
          code: 'SemanticError',
          message: `Failed to resolve scalar expression named '${unknown}'`
        }
      })
    }
    const timeIndex = names.indexOf('TimeGenerated')
    const range = this.range(parsed, span)
    const equals = parsed.equals.map((e) => ({ at: names.indexOf(e.column), value: e.value }))
    // The cheap equality first, the time parse only for rows that pass it: a pushed table holds a
    // million rows and a push counts its parts over and over (bench/push.bench.mjs).
    const matches = (r: unknown[]): boolean => {
      if (!equals.every((e) => String(r[e.at] ?? '') === e.value)) {
        return false
      }
      const t = Date.parse(String(r[timeIndex]))
      return withinBounds(t, parsed.bounds) && t >= span.start && t < span.end
    }
    // A custom table's rows are in arrival order: the matching ones are put in time order (a
    // stable sort, so the same order as sorting first and filtering after).
    let rows = custom
      ? custom.rows
          .filter(matches)
          .sort((a, b) => String(a[timeIndex]).localeCompare(String(b[timeIndex])))
      : this.rows(ws, parsed.table, range.start, range.end).filter(matches)
    if (parsed.kind === 'count-by-column') {
      const at = names.indexOf(parsed.byColumn)
      const groups = new Map<string, number>()
      for (const r of rows) {
        const key = String(r[at] ?? '')
        groups.set(key, (groups.get(key) ?? 0) + 1)
      }
      entry.rows = groups.size
      sendJson(res, 200, {
        tables: [
          {
            name: 'PrimaryResult',
            columns: [
              { name: parsed.byColumn, type: table.columns[at]?.[1] ?? 'string' },
              { name: 'count_', type: 'long' }
            ],
            rows: [...groups]
          }
        ]
      })
      return true
    }
    if (parsed.kind === 'count') {
      entry.rows = 1
      sendJson(res, 200, {
        tables: [
          {
            name: 'PrimaryResult',
            columns: [{ name: 'Count', type: 'long' }],
            rows: [[rows.length]]
          }
        ]
      })
      return true
    }
    if (parsed.kind === 'count-by-bin') {
      const bins = new Map<number, number>()
      for (const r of rows) {
        const t = Date.parse(String(r[timeIndex]))
        const bin = Math.floor(t / parsed.binMs) * parsed.binMs
        bins.set(bin, (bins.get(bin) ?? 0) + 1)
      }
      const out = [...bins].map(([t, n]) => [new Date(t).toISOString(), n])
      entry.rows = out.length
      sendJson(res, 200, {
        tables: [
          {
            name: 'PrimaryResult',
            columns: [
              { name: 'TimeGenerated', type: 'datetime' },
              { name: 'count_', type: 'long' }
            ],
            rows: out
          }
        ]
      })
      return true
    }
    if (parsed.take !== undefined) {
      rows = rows.slice(0, parsed.take)
    }
    // Apply the limits the way the service does: rows up to the limit, then the size cap.
    let partial: { reason: string } | undefined
    if (rows.length > this.limits.maxRows) {
      rows = rows.slice(0, this.limits.maxRows)
      partial = {
        reason: `The results of this query exceed the set limit of ${this.limits.maxRows} records, so not all records were returned (E_QUERY_RESULT_SET_TOO_LARGE, 0x80DA0003).`
      }
    }
    let bytes = 0
    for (let i = 0; i < rows.length; i++) {
      bytes += JSON.stringify(rows[i]).length + 1
      if (bytes > this.limits.maxBytes) {
        rows = rows.slice(0, i)
        partial = {
          reason: `Query result set has exceeded the internal data size limit ${this.limits.maxBytes} (E_QUERY_RESULT_SET_TOO_LARGE).`
        }
        break
      }
    }
    if (fault && 'partialError' in fault) {
      rows = rows.slice(0, Math.floor(rows.length / 2))
      partial = { reason: 'Query execution has been cancelled due to an internal engine error.' }
    }
    entry.rows = rows.length
    entry.partial = partial !== undefined
    const result: Record<string, unknown> = {
      tables: [
        {
          name: 'PrimaryResult',
          columns: table.columns.map(([name, type]) => ({ name, type })),
          rows
        }
      ]
    }
    if (partial) {
      result.error = {
        code: 'PartialError',
        message: 'There were some errors when processing your query.',
        details: [
          {
            code: 'EngineError',
            message: 'Something went wrong processing your query on the server.',
            innererror: { code: '-2133196347', message: partial.reason }
          }
        ]
      }
    }
    sendJson(res, 200, result)
    return true
  }

  /** The hours a query can touch: its where bounds and timespan, clamped to the clock. */
  private range(
    q: KqlDataQuery,
    span: { start: number; end: number }
  ): { start: number; end: number } {
    let start = span.start
    let end = Math.min(span.end, this.deps.clock.now().getTime())
    for (const b of q.bounds) {
      if (b.op === '>=' || b.op === '>') {
        start = Math.max(start, b.ms)
      } else {
        end = Math.min(end, b.ms + 1)
      }
    }
    // No lower bound: the fake keeps 90 days (the workspace's default interactive retention).
    if (!Number.isFinite(start)) {
      start = end - 90 * 24 * HOUR
    }
    return { start, end }
  }

  /** Rows of a table with TimeGenerated in [start, end), sorted by time. */
  private rows(ws: FakeWorkspace, tableName: string, start: number, end: number): unknown[][] {
    const table = TABLES[tableName]
    if (!table || end <= start) {
      return []
    }
    const now = this.deps.clock.now().getTime()
    const timeIndex = columnIndex(tableName, 'TimeGenerated')
    const out: unknown[][] = []
    for (let h = hourOf(start); h <= hourOf(Math.min(end, now) - 1); h++) {
      const key = `${ws.workspaceId}|${tableName}|${h}`
      let hourRows = this.cache.get(key)
      if (!hourRows) {
        hourRows =
          hourCount(ws.cfg, 'Audit.General', h) === 0
            ? []
            : generateHour(ws.cfg, ws.world, 'Audit.General', h)
                .filter((r) => table.recordTypes.includes(r.RecordType))
                .map((r) => toRow(ws, tableName, r))
                .sort((a, b) => String(a[timeIndex]).localeCompare(String(b[timeIndex])))
        // Only closed hours are cached: the current hour still grows with the clock.
        if ((h + 1) * HOUR <= now) {
          this.cache.set(key, hourRows)
        }
      }
      for (const row of hourRows) {
        const t = Date.parse(String(row[timeIndex]))
        if (t >= start && t < end && t <= now) {
          out.push(row)
        }
      }
    }
    return out
  }

  private error(
    res: ServerResponse,
    status: number,
    code: string,
    message: string,
    extra: Record<string, unknown> = {},
    headers: Record<string, string> = {}
  ): void {
    sendJson(
      res,
      status,
      { error: { message, code, correlationId: randomUUID(), ...extra } },
      headers
    )
  }
}

const FAULT_TEXT: Record<number, [string, string]> = {
  401: ['AuthorizationRequiredError', 'Valid authentication was not provided'],
  403: [
    'InsufficientAccessError',
    'The provided credentials have insufficient access to perform the requested operation'
  ],
  429: ['ThrottledError', 'Too many requests. Please retry after the time in Retry-After.'],
  500: ['InternalServerError', 'An internal error occurred.'],
  503: ['ServiceUnavailableError', 'The service is temporarily unavailable.'],
  504: ['GatewayTimeout', 'The query exceeded the gateway timeout.']
}

function columnIndex(table: string, column: string): number {
  return TABLES[table]?.columns.findIndex(([name]) => name === column) ?? -1
}

function kustoType(type: Column[1]): string {
  return {
    string: 'System.String',
    datetime: 'System.DateTime',
    dynamic: 'System.Object',
    bool: 'System.SByte',
    boolean: 'System.SByte',
    real: 'System.Double',
    int: 'System.Int32',
    long: 'System.Int64',
    guid: 'System.Guid'
  }[type]
}

/** A custom table's columns, as its definition gave them. */
function customColumns(table: CustomTable): Column[] {
  return table.columns.map((c) => [c.name, c.type] as const)
}

/** One record as the Sentinel connector writes it into `table` (dynamic values as JSON text). */
function toRow(ws: FakeWorkspace, table: string, r: AuditRecord): unknown[] {
  const text = (v: unknown): string | null =>
    v === undefined || v === null ? null : typeof v === 'string' ? v : JSON.stringify(v)
  const values: Record<string, unknown> = {
    OfficeId: r.Id,
    Operation: text(r.Operation),
    UserId: text(r.UserId),
    UserKey: text(r.UserKey),
    UserType: USER_TYPES[typeof r.UserType === 'number' ? r.UserType : 0] ?? 'Other',
    OfficeWorkload: text(r.Workload),
    OfficeTenantId: text(r.OrganizationId),
    ResultStatus: text(r.ResultStatus) ?? 'Succeeded',
    ClientIP: text(r.ClientIP),
    OfficeObjectId: text(r.ObjectId),
    TenantId: ws.workspaceId,
    TimeGenerated: `${r.CreationTime}Z`,
    ActorName: text(r.UserId),
    ActorUserId: text(r.UserKey),
    ActorUserType: USER_TYPES[typeof r.UserType === 'number' ? r.UserType : 0] ?? 'Other',
    EventOriginalType: text(r.Operation),
    EventOriginalUid: r.Id,
    EventResult: text(r.ResultStatus) ?? 'Succeeded',
    OrganizationId: text(r.OrganizationId),
    RecordType: RECORD_TYPE_NAMES[r.RecordType] ?? String(r.RecordType),
    Workload: text(r.Workload),
    SourceSystem: 'Azure',
    Type: table,
    _BilledSize: JSON.stringify(r).length,
    _IsBillable: 'True',
    PropertyCollection: text(r.PropertyCollection),
    RequiresCustomerKeyEncryption: r.RequiresCustomerKeyEncryption === true,
    AdditionalInfo: text(r.AdditionalInfo),
    FlowConnectorNames: text(r.FlowConnectorNames),
    FlowDetailsUrl: text(r.FlowDetailsUrl),
    LicenseDisplayName: text(r.LicenseDisplayName),
    ObjectId: text(r.ObjectId),
    RecipientUpn: text(r.RecipientUPN),
    SharingPermission: text(r.SharingPermission),
    SrcIpAddr: text(r.ClientIP),
    UserUpn: text(r.UserUPN ?? r.UserId)
  }
  return (TABLES[table]?.columns ?? []).map(([name]) => values[name] ?? null)
}
