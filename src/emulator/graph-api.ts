import { randomUUID } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'

import { CLOUDS } from '../shared/clouds'

import type { EmulatorClock } from './clock'
import { CONTENT_TYPES, generateHour, hourCount, hourOf } from './generator'
import type { AuditRecord, GeneratorConfig, TenantWorld } from './generator'
import { bearerToken, readBody, sendJson } from './http-util'
import { Rng } from './prng'
import { verifyAccessToken } from './resource-auth'
import type { FaultConfig } from './scenarios'
import { SpanFaultPicker } from './span-faults'

const DAY = 86_400_000

const RECORD_TYPE_NAMES: Record<number, string> = {
  6: 'sharePointFileOperation',
  11: 'complianceDLPSharePoint',
  15: 'azureActiveDirectoryStsLogon',
  20: 'powerBIAudit',
  25: 'microsoftTeams',
  30: 'microsoftFlow',
  45: 'powerAppsApp',
  50: 'exchangeItemAggregated',
  79: 'powerPlatformAdminDlp',
  187: 'powerAppsResource',
  256: 'powerPlatformAdministratorActivity'
}
const USER_TYPES = [
  'regular',
  'reserved',
  'admin',
  'dcAdmin',
  'system',
  'application',
  'servicePrincipal'
]
const WORKLOAD_SCOPES: Record<string, string[]> = {
  'AuditLogsQuery-Exchange.Read.All': ['Exchange'],
  'AuditLogsQuery-SharePoint.Read.All': ['SharePoint'],
  'AuditLogsQuery-OneDrive.Read.All': ['OneDrive'],
  'AuditLogsQuery-Entra.Read.All': ['AzureActiveDirectory'],
  'AuditLogsQuery-CRM.Read.All': ['CRM', 'Dynamics365'],
  'AuditLogsQuery-Endpoint.Read.All': ['Endpoint']
}

interface Query {
  id: string
  tenantId: string
  body: Record<string, unknown>
  createdAt: number
  outcome: FaultConfig['graphOutcome']
  /** Services this caller may see; undefined = all. */
  services: string[] | undefined
  count?: { returned: number; exceeded: boolean }
}

/** Filters of an audit log query (Graph camelCase names). */
interface Filters {
  start: number
  end: number
  recordTypes: string[]
  operations: string[]
  upns: string[]
  ips: string[]
  objectIds: string[]
  services: string[]
  keyword: string | undefined
  adminUnits: string[]
}

/**
 * The Graph audit log query API (`/graph/{beta|v1.0}/security/auditLog/queries`), reference
 * management-api.md §3 and checklist items 20–28.
 */
export class GraphAuditApi {
  private readonly queries = new Map<string, Query>()
  private readonly rng: Rng
  private readonly spanFaults = new SpanFaultPicker()

  constructor(
    private readonly deps: {
      baseUrl: () => string
      clock: EmulatorClock
      publicKey: KeyObject
      /** Generator inputs per tenant id (lower-case). */
      tenants: ReadonlyMap<string, { cfg: GeneratorConfig; world: TenantWorld }>
      faults: () => FaultConfig
    }
  ) {
    this.rng = new Rng(0x67a9)
  }

  /** Handles `/graph/...`; false otherwise. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (!url.pathname.startsWith('/graph/')) {
      return false
    }
    const m = /^\/graph\/(v1\.0|beta)\/security\/auditLog\/queries(?:\/([^/]+))?(\/records)?$/.exec(
      url.pathname
    )
    const faults = this.deps.faults()
    if (!m?.[1]) {
      this.error(
        res,
        404,
        'ResourceNotFound',
        `Resource not found for the segment '${url.pathname}'.`
      )
      return true
    }
    const claims = verifyAccessToken(
      bearerToken(req),
      this.deps.publicKey,
      this.deps.clock,
      CLOUDS.commercial.graphResource
    )
    if (!claims) {
      this.error(
        res,
        401,
        'InvalidAuthenticationToken',
        'Access token validation failure. Invalid audience.'
      )
      return true
    }
    if (m[1] === 'v1.0' && faults.graphV1Withdrawn) {
      sendJson(res, 404, { error: { code: 'UnknownError', message: '' } })
      return true
    }
    const hasAll = claims.permissions.includes('AuditLogsQuery.Read.All')
    const workloads = claims.permissions.flatMap((p) => WORKLOAD_SCOPES[p] ?? [])
    if (!hasAll && workloads.length === 0) {
      this.error(
        res,
        403,
        'Forbidden',
        'Insufficient privileges to complete the operation. Requires AuditLogsQuery.Read.All.'
      )
      return true
    }
    if (
      faults.graphTransientRate > 0 &&
      req.method === 'GET' &&
      this.rng.chance(faults.graphTransientRate)
    ) {
      this.error(
        res,
        this.rng.pick([502, 503, 504]),
        'ServiceUnavailable',
        'The service is temporarily unavailable.'
      )
      return true
    }
    const id = m[2]
    if (!id) {
      if (req.method === 'POST') {
        await this.create(req, res, url, claims.tid, hasAll ? undefined : workloads, faults)
      } else {
        sendJson(res, 200, {
          '@odata.context': `${this.deps.baseUrl()}${url.pathname.replace(/\/queries$/, '')}/$metadata#security/auditLog/queries`,
          value: [...this.queries.values()]
            .filter((q) => q.tenantId === claims.tid.toLowerCase())
            .map((q) => this.view(q))
        })
      }
      return true
    }
    const query = this.queries.get(id)
    if (!query || query.tenantId !== claims.tid.toLowerCase()) {
      this.error(res, 404, 'ResourceNotFound', `Audit log query ${id} was not found.`)
      return true
    }
    if (!m[3]) {
      sendJson(res, 200, this.view(query))
      return true
    }
    this.records(res, url, query, faults)
    return true
  }

  private async create(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    tenantId: string,
    services: string[] | undefined,
    faults: FaultConfig
  ): Promise<void> {
    let body: unknown
    try {
      body = JSON.parse(await readBody(req))
    } catch {
      this.error(res, 400, 'BadRequest', 'Unable to read JSON request payload.')
      return
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      this.error(res, 400, 'BadRequest', 'The request body must be a JSON object.')
      return
    }
    const obj = body as Record<string, unknown>
    for (const key of ['filterStartDateTime', 'filterEndDateTime']) {
      const v = obj[key]
      if (v !== undefined && (typeof v !== 'string' || Number.isNaN(Date.parse(v)))) {
        this.error(res, 400, 'BadRequest', `Invalid value for '${key}'.`)
        return
      }
    }
    const active = [...this.queries.values()].filter((q) => {
      const st = this.status(q)
      return st === 'notStarted' || st === 'running'
    }).length
    if (active >= faults.graphMaxActiveQueries) {
      res.setHeader('Retry-After', String(faults.retryAfterSeconds ?? 30))
      this.error(res, 429, 'TooManyRequests', 'Too many queued or running audit log queries.')
      return
    }
    const query: Query = {
      id: randomUUID(),
      tenantId: tenantId.toLowerCase(),
      body: obj,
      createdAt: this.deps.clock.now().getTime(),
      outcome: this.outcomeFor(obj, tenantId, faults),
      services
    }
    this.queries.set(query.id, query)
    sendJson(res, 201, {
      '@odata.context': `${this.deps.baseUrl()}${url.pathname.replace(/\/queries$/, '')}/$metadata#security/auditLog/queries/$entity`,
      ...this.view(query)
    })
  }

  /** `graphOutcome`, unless a `graphQueryFaults` span aims at this query's filter span. */
  private outcomeFor(
    body: Record<string, unknown>,
    tenantId: string,
    faults: FaultConfig
  ): FaultConfig['graphOutcome'] {
    const now = this.deps.clock.now().getTime()
    const f = this.filters({
      id: '',
      tenantId,
      body,
      createdAt: now,
      outcome: 'succeeded',
      services: []
    })
    return this.spanFaults.pick(faults.graphQueryFaults, f.start, f.end) ?? faults.graphOutcome
  }

  private status(query: Query): string {
    const faults = this.deps.faults()
    const elapsed = this.deps.clock.now().getTime() - query.createdAt
    if (elapsed < faults.graphNotStartedSeconds * 1000) {
      return 'notStarted'
    }
    if (elapsed < (faults.graphNotStartedSeconds + faults.graphRunSeconds) * 1000) {
      return 'running'
    }
    return query.outcome
  }

  private view(query: Query): Record<string, unknown> {
    const status = this.status(query)
    const f = this.filters(query)
    const b = query.body
    const out: Record<string, unknown> = {
      id: query.id,
      displayName: typeof b.displayName === 'string' ? b.displayName : null,
      filterStartDateTime: new Date(f.start).toISOString(),
      filterEndDateTime: new Date(f.end).toISOString(),
      recordTypeFilters: f.recordTypes,
      keywordFilter: f.keyword ?? null,
      serviceFilter: f.services[0] ?? null,
      serviceFilters: f.services,
      operationFilters: f.operations,
      userPrincipalNameFilters: f.upns,
      ipAddressFilters: f.ips,
      objectIdFilters: f.objectIds,
      administrativeUnitIdFilters: f.adminUnits,
      status
    }
    if (status === 'succeeded') {
      const limit = this.deps.faults().graphRecordLimit
      const count = this.count(query, limit)
      out.recordCountLimit = limit
      out.approximateReturnedRecordCount = count.returned
      out.isRecordCountLimitExceeded = count.exceeded
    }
    return out
  }

  private filters(query: Query): Filters {
    const b = query.body
    const list = (v: unknown): string[] =>
      Array.isArray(v)
        ? v.filter((x): x is string => typeof x === 'string')
        : typeof v === 'string' && v
          ? [v]
          : []
    const now = query.createdAt
    const start =
      typeof b.filterStartDateTime === 'string' ? Date.parse(b.filterStartDateTime) : now - DAY
    const end = typeof b.filterEndDateTime === 'string' ? Date.parse(b.filterEndDateTime) : now
    return {
      start,
      end,
      recordTypes: list(b.recordTypeFilters),
      operations: list(b.operationFilters),
      upns: list(b.userPrincipalNameFilters),
      ips: list(b.ipAddressFilters),
      objectIds: list(b.objectIdFilters),
      services: [...list(b.serviceFilters), ...list(b.serviceFilter)],
      keyword: typeof b.keywordFilter === 'string' && b.keywordFilter ? b.keywordFilter : undefined,
      adminUnits: list(b.administrativeUnitIdFilters)
    }
  }

  /** Walks matching records from a cursor; calls `emit` until it returns false. */
  private walk(
    query: Query,
    from: { hour: number; index: number },
    emit: (r: AuditRecord, cursor: { hour: number; index: number }) => boolean
  ): void {
    const f = this.filters(query)
    const data = this.deps.tenants.get(query.tenantId)
    if (!data) {
      return
    }
    const retentionStart =
      this.deps.clock.now().getTime() - this.deps.faults().graphRetentionDays * DAY
    const start = Math.max(f.start, retentionStart)
    const lower = (xs: string[]): string[] => xs.map((x) => x.toLowerCase())
    const types = lower(f.recordTypes)
    const ops = lower(f.operations)
    const upns = lower(f.upns)
    const services = lower(f.services)
    const objects = lower(f.objectIds)
    const keyword = f.keyword?.toLowerCase()
    for (let h = Math.max(from.hour, hourOf(start)); h <= hourOf(f.end); h++) {
      for (const ct of CONTENT_TYPES) {
        if (hourCount(data.cfg, ct, h) === 0) {
          continue
        }
        const ctIndex = CONTENT_TYPES.indexOf(ct)
        // Resume inside the cursor's hour without regenerating the records before it.
        const first = h === from.hour ? Math.max(0, from.index - ctIndex * 10_000_000) : 0
        if (h === from.hour && from.index >= (ctIndex + 1) * 10_000_000) {
          continue
        }
        const records = generateHour(data.cfg, data.world, ct, h, first)
        for (let k = 0; k < records.length; k++) {
          const i = first + k
          const flat = ctIndex * 10_000_000 + i
          const r = records[k]
          if (!r) {
            continue
          }
          const t = Date.parse(`${r.CreationTime}Z`)
          if (t < start || t > f.end) {
            continue
          }
          const workload = String(r.Workload ?? '')
          if (query.services && !query.services.includes(workload)) {
            continue
          }
          if (
            types.length > 0 &&
            !types.includes((RECORD_TYPE_NAMES[r.RecordType] ?? 'unknownFutureValue').toLowerCase())
          ) {
            continue
          }
          if (ops.length > 0 && !ops.includes(String(r.Operation).toLowerCase())) {
            continue
          }
          if (upns.length > 0 && !upns.includes(String(r.UserId).toLowerCase())) {
            continue
          }
          if (f.ips.length > 0 && !f.ips.includes(String(r.ClientIP))) {
            continue
          }
          if (objects.length > 0 && !objects.includes(String(r.ObjectId ?? '').toLowerCase())) {
            continue
          }
          if (services.length > 0 && !services.includes(workload.toLowerCase())) {
            continue
          }
          if (f.adminUnits.length > 0) {
            continue
          }
          if (keyword && !JSON.stringify(r).toLowerCase().includes(keyword)) {
            continue
          }
          if (!emit(r, { hour: h, index: flat + 1 })) {
            return
          }
        }
      }
    }
  }

  private count(query: Query, limit: number): { returned: number; exceeded: boolean } {
    if (!query.count) {
      let n = 0
      this.walk(query, { hour: -Infinity, index: 0 }, () => {
        n++
        return n <= limit
      })
      query.count = { returned: Math.min(n, limit), exceeded: n > limit }
    }
    return query.count
  }

  private records(res: ServerResponse, url: URL, query: Query, faults: FaultConfig): void {
    const status = this.status(query)
    if (status !== 'succeeded') {
      if (
        faults.graphRecordsBeforeSucceeded === 'empty' ||
        status === 'failed' ||
        status === 'cancelled'
      ) {
        sendJson(res, 200, { value: [] })
      } else {
        this.error(
          res,
          400,
          'BadRequest',
          `The query is ${status}; records are available once it has succeeded.`
        )
      }
      return
    }
    const limit = this.count(query, faults.graphRecordLimit).returned
    const topArg = url.searchParams.get('$top')
    const top = Math.min(
      faults.graphMaxTop,
      topArg ? Math.max(1, Number(topArg) || faults.graphPageSize) : faults.graphPageSize
    )
    let cursor = { hour: -Infinity, index: 0, emitted: 0 }
    const skip = url.searchParams.get('$skiptoken')
    if (skip) {
      try {
        const parsed = JSON.parse(Buffer.from(skip, 'base64url').toString('utf8')) as {
          h: number
          i: number
          e: number
        }
        cursor = { hour: parsed.h, index: parsed.i, emitted: parsed.e }
      } catch {
        this.error(res, 400, 'BadRequest', 'Invalid $skiptoken.')
        return
      }
    }
    const page: Record<string, unknown>[] = []
    let next: { hour: number; index: number } | undefined
    let emitted = cursor.emitted
    this.walk(query, { hour: cursor.hour, index: cursor.index }, (r, c) => {
      if (emitted >= limit) {
        next = undefined
        return false
      }
      page.push(toGraphRecord(r))
      emitted++
      next = c
      return page.length < top
    })
    const body: Record<string, unknown> = { value: page }
    if (page.length === top && next && emitted < limit) {
      const token = Buffer.from(
        JSON.stringify({ h: next.hour, i: next.index, e: emitted })
      ).toString('base64url')
      // Graph writes `$top`/`$skiptoken` unencoded; URLSearchParams would turn `$` into %24.
      const query = topArg ? `$top=${encodeURIComponent(topArg)}&` : ''
      const linkBase = faults.foreignLinks?.kinds.includes('nextLink')
        ? faults.foreignLinks.base
        : this.deps.baseUrl()
      body['@odata.nextLink'] = `${linkBase}${url.pathname}?${query}$skiptoken=${token}`
    }
    sendJson(res, 200, body)
  }

  private error(res: ServerResponse, status: number, code: string, message: string): void {
    sendJson(res, status, {
      error: {
        code,
        message,
        innerError: {
          date: this.deps.clock.now().toISOString().slice(0, 19),
          'request-id': randomUUID(),
          'client-request-id': randomUUID()
        }
      }
    })
  }
}

/** Converts a Management-API-shaped record into a Graph auditLogRecord (reference §3.4). */
export function toGraphRecord(r: AuditRecord): Record<string, unknown> {
  const userType = typeof r.UserType === 'number' ? r.UserType : 0
  return {
    id: r.Id,
    createdDateTime: `${r.CreationTime}Z`,
    auditLogRecordType: RECORD_TYPE_NAMES[r.RecordType] ?? 'unknownFutureValue',
    operation: r.Operation,
    organizationId: r.OrganizationId,
    userType: USER_TYPES[userType] ?? 'unknownFutureValue',
    userId: r.UserKey,
    userPrincipalName: r.UserId,
    service: r.Workload,
    objectId: r.ObjectId ?? null,
    clientIp: r.ClientIP ?? null,
    administrativeUnits: [''],
    auditData: {
      '@odata.type': '#microsoft.graph.security.defaultAuditData',
      ...r,
      'RecordType@odata.type': '#Int64',
      'UserType@odata.type': '#Int64',
      'Version@odata.type': '#Int64'
    }
  }
}
