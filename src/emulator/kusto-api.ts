import { randomUUID } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { gunzipSync } from 'node:zlib'

import { adxRowOf } from '../shared/adx/adx-table'
import { ADX_COLUMNS } from '../shared/adx/adx-table'
import { normalizeRecord } from '../shared/audit'

import type { EmulatorClock } from './clock'
import { generateHour, hourCount, hourOf } from './generator'
import type { GeneratorConfig, TenantWorld } from './generator'
import { bearerToken, sendJson } from './http-util'
import { KqlError, parseKustoCommand, parseKustoQuery, withinBounds } from './kusto-kql'
import type { KustoCommand, KustoDataQuery } from './kusto-kql'
import { verifyAccessToken } from './resource-auth'
import type { TokenClaims } from './resource-auth'

/**
 * A fake Azure Data Explorer (Kusto) cluster at `/kusto` on the emulator: the REST query endpoint
 * `POST /v2/rest/query` (the v2 frame array: DataSetHeader, DataTable frames — the
 * `@ExtendedProperties` QueryProperties, the `PrimaryResult`, `QueryCompletionInformation` —
 * and DataSetCompletion), the management endpoint `POST /v1/rest/mgmt` (v1 `{ Tables: […] }`)
 * for the commands the product emits, and streaming ingestion
 * `POST /v1/rest/ingest/{db}/{table}?streamFormat=multijson&mappingName=…` (gzip bodies, 4 MB of
 * data per request). Tokens must carry the cluster's own URL as audience; access is granted by
 * database role per principal (viewer, ingestor, admin), as the real cluster does.
 *
 * A result over the truncation limits (500,000 rows / 64 MB) is cut and answered 200 with the
 * rows so far and a `OneApiErrors` row (`LimitsExceeded`), `HasErrors: true` in the completion
 * frame. `.ingest inline … with (tags='["ingest-by:X"]', ingestIfNotExists='["X"]')` is skipped
 * when an extent already has that ingest-by tag. Streaming ingestion takes no tags (the real
 * service's limitation), so it is never deduplicated by the cluster. See docs/emulator.md.
 */

/** The engine's documented limits. */
export const KUSTO_LIMITS = {
  maxRows: 500_000,
  maxBytes: 64 * 1024 * 1024,
  /** Streaming ingestion: data per request, uncompressed. */
  streamingMaxBytes: 4 * 1024 * 1024
}

/** The database the cluster starts with. */
export const KUSTO_DEFAULT_DATABASE = 'AuditHistory'

/** A principal's role on the cluster's databases. */
export type KustoRole = 'none' | 'viewer' | 'ingestor' | 'admin'

/** One request the fake answered (for tests). */
export interface KustoRequest {
  endpoint: 'query' | 'mgmt' | 'ingest' | 'other'
  database: string
  csl: string
  status: number
  rows: number
  partial: boolean
  hadAuthorization: boolean
  contentEncoding: string | undefined
  bodyBytes: number
}

/** A scripted answer for the next request of a kind (`rows`: a data query returning rows). */
export type KustoFault = {
  on?: 'any' | 'query' | 'rows' | 'mgmt' | 'ingest'
} & (
  { status: 401 | 403 | 429 | 500 | 503 | 504; retryAfterSeconds?: number } | { partialError: true }
)

/** Test controls of the fake cluster (Emulator.kusto). */
export interface KustoControls {
  /** The cluster URL to give clients (`https://127.0.0.1:P/kusto`). */
  clusterUrl(): string
  setLimits(limits: Partial<typeof KUSTO_LIMITS>): void
  failNext(faults: KustoFault[]): void
  requests(): KustoRequest[]
  /** Sets a principal's (`aadapp=<appid>` or `aaduser=<oid>`) roles; the default is admin. */
  setRole(principal: string, roles: KustoRole | KustoRole[]): void
  /** Fills `table` (created with the push layout) from the home tenant's generated activity. */
  seedTable(database: string, table: string, start: Date, end: Date): number
  /** Unique `Id`s of `table` with TimeGenerated in [start, end). */
  groundTruth(database: string, table: string, start: Date, end: Date): Set<string>
  /** Rows of `table` (duplicates included). */
  rowCount(database: string, table: string): number
  /** How many rows of `table` hold each value of `column` (as text). */
  valueCounts(database: string, table: string, column: string): Record<string, number>
}

interface Table {
  columns: Array<[string, string]>
  rows: Array<Record<string, unknown>>
  extentTags: Set<string>
  mappings: Map<string, unknown>
}

type Db = Map<string, Table>

const V1_TYPES: Record<string, string> = {
  datetime: 'DateTime',
  string: 'String',
  int: 'Int32',
  long: 'Int64',
  dynamic: 'Object',
  bool: 'Boolean',
  real: 'Double',
  guid: 'Guid'
}

/** The fake cluster. */
export class KustoApi implements KustoControls {
  private limits = { ...KUSTO_LIMITS }
  private faults: KustoFault[] = []
  private readonly log: KustoRequest[] = []
  private readonly roles = new Map<string, ReadonlySet<KustoRole>>()
  private readonly dbs = new Map<string, Db>([[KUSTO_DEFAULT_DATABASE, new Map()]])

  constructor(
    private readonly deps: {
      baseUrl: () => string
      clock: EmulatorClock
      publicKey: KeyObject
      tenantId: string
      home: { cfg: GeneratorConfig; world: TenantWorld }
    }
  ) {}

  clusterUrl(): string {
    return `${this.deps.baseUrl()}/kusto`
  }

  setLimits(limits: Partial<typeof KUSTO_LIMITS>): void {
    this.limits = { ...this.limits, ...limits }
  }

  failNext(faults: KustoFault[]): void {
    this.faults.push(...faults)
  }

  requests(): KustoRequest[] {
    return [...this.log]
  }

  setRole(principal: string, roles: KustoRole | KustoRole[]): void {
    this.roles.set(principal.toLowerCase(), new Set(Array.isArray(roles) ? roles : [roles]))
  }

  seedTable(database: string, table: string, start: Date, end: Date): number {
    const t = this.ensureTable(
      database,
      table,
      ADX_COLUMNS.map(([n, ty]) => [n, ty])
    )
    let n = 0
    const { cfg, world } = this.deps.home
    for (let h = hourOf(start.getTime()); h < hourOf(end.getTime() - 1) + 1; h++) {
      if (hourCount(cfg, 'Audit.General', h) === 0) {
        continue
      }
      for (const raw of generateHour(cfg, world, 'Audit.General', h)) {
        const result = normalizeRecord(JSON.stringify(raw))
        if (!result.ok) {
          continue
        }
        const at = result.record.createdAtMs
        if (at < start.getTime() || at >= end.getTime()) {
          continue
        }
        t.rows.push(adxRowOf(result.record, 'seed'))
        n++
      }
    }
    return n
  }

  groundTruth(database: string, table: string, start: Date, end: Date): Set<string> {
    const out = new Set<string>()
    for (const row of this.dbs.get(database)?.get(table)?.rows ?? []) {
      const t = Date.parse(String(row.TimeGenerated))
      if (t >= start.getTime() && t < end.getTime()) {
        out.add(String(row.Id))
      }
    }
    return out
  }

  rowCount(database: string, table: string): number {
    return this.dbs.get(database)?.get(table)?.rows.length ?? 0
  }

  valueCounts(database: string, table: string, column: string): Record<string, number> {
    const out: Record<string, number> = {}
    for (const row of this.dbs.get(database)?.get(table)?.rows ?? []) {
      const value = String(row[column] ?? '')
      out[value] = (out[value] ?? 0) + 1
    }
    return out
  }

  /** Handles `/kusto/...`; false otherwise. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (!url.pathname.startsWith('/kusto/')) {
      return false
    }
    const path = url.pathname.slice('/kusto'.length)
    const ingest = /^\/v1\/rest\/ingest\/([^/]+)\/([^/]+)$/.exec(path)
    const endpoint: KustoRequest['endpoint'] =
      path === '/v2/rest/query'
        ? 'query'
        : path === '/v1/rest/mgmt'
          ? 'mgmt'
          : ingest
            ? 'ingest'
            : 'other'
    const entry: KustoRequest = {
      endpoint,
      database: ingest?.[1] ?? '',
      csl: '',
      status: 0,
      rows: 0,
      partial: false,
      hadAuthorization: req.headers.authorization !== undefined,
      contentEncoding: req.headers['content-encoding'],
      bodyBytes: 0
    }
    this.log.push(entry)
    if (this.log.length > 10_000) {
      this.log.shift()
    }
    const fail = (status: number, code: string, message: string, detail?: string): true => {
      entry.status = status
      sendJson(res, status, oneApiError(code, message, detail, status))
      return true
    }
    if (endpoint === 'other') {
      return fail(404, 'NotFound', `The requested path does not exist: ${url.pathname}`)
    }
    if (req.method !== 'POST') {
      return fail(405, 'BadRequest', 'Use POST.')
    }
    const claims = verifyAccessToken(
      bearerToken(req),
      this.deps.publicKey,
      this.deps.clock,
      new URL(this.deps.baseUrl()).origin
    )
    if (!claims) {
      entry.status = 401
      // The real cluster answers an unauthenticated call 401 with a WWW-Authenticate challenge.
      sendJson(
        res,
        401,
        oneApiError(
          'Unauthorized',
          'The token is missing, expired or not for this cluster.',
          undefined,
          401
        ),
        { 'WWW-Authenticate': 'Bearer' }
      )
      return true
    }
    let body: Buffer
    try {
      body = await readRaw(req, this.limits.streamingMaxBytes * 2 + 65_536)
    } catch {
      return fail(
        413,
        'BadRequest_EntityTooLarge',
        'The request body is larger than the cluster accepts.'
      )
    }
    entry.bodyBytes = body.length
    if (endpoint === 'ingest') {
      return this.streamingIngest(req, res, url, ingest, body, claims, entry, fail)
    }
    let request: { db?: unknown; csl?: unknown }
    try {
      request = JSON.parse(body.toString('utf8')) as { db?: unknown; csl?: unknown }
    } catch {
      return fail(
        400,
        'General_BadRequest',
        'Request is invalid and cannot be executed.',
        'The request body is not valid JSON.'
      )
    }
    if (typeof request?.db !== 'string' || typeof request.csl !== 'string') {
      return fail(
        400,
        'General_BadRequest',
        'Request is invalid and cannot be executed.',
        "The body needs 'db' and 'csl'."
      )
    }
    entry.database = request.db
    entry.csl = request.csl.slice(0, 300)
    const db = this.dbs.get(request.db)
    const role = this.roleOf(claims)
    const isQuery = endpoint === 'query'
    if (
      !db ||
      (isQuery ? !hasRole(role, 'viewer', 'admin') : role.size === 0 || role.has('none'))
    ) {
      return fail(
        403,
        'Forbidden',
        'Caller is not authorized to perform this action',
        `Principal '${principalOf(claims)}' is not authorized to access database '${request.db}'.`
      )
    }
    try {
      if (endpoint === 'query') {
        const q = parseKustoQuery(request.csl)
        const fault = this.takeFault(
          q.kind === 'rows' ? ['any', 'query', 'rows'] : ['any', 'query']
        )
        if (fault && 'status' in fault) {
          return this.answerFault(res, entry, fault)
        }
        return this.query(res, db, q, fault !== undefined, entry, fail)
      }
      const command = parseKustoCommand(request.csl)
      const fault = this.takeFault(['any', 'mgmt'])
      if (fault && 'status' in fault) {
        return this.answerFault(res, entry, fault)
      }
      return this.command(res, request.db, db, command, role, claims, entry, fail)
    } catch (error) {
      if (error instanceof KqlError) {
        return fail(
          400,
          'General_BadRequest',
          'Request is invalid and cannot be executed.',
          error.message
        )
      }
      throw error
    }
  }

  private takeFault(kinds: Array<NonNullable<KustoFault['on']>>): KustoFault | undefined {
    const at = this.faults.findIndex((f) => kinds.includes(f.on ?? 'any'))
    return at < 0 ? undefined : this.faults.splice(at, 1)[0]
  }

  private answerFault(
    res: ServerResponse,
    entry: KustoRequest,
    fault: { status: number; retryAfterSeconds?: number }
  ): true {
    const [code, message, detail] = FAULT_TEXT[fault.status] ?? ['Error', 'Error', undefined]
    entry.status = fault.status
    sendJson(
      res,
      fault.status,
      oneApiError(code, message, detail, fault.status),
      fault.status === 429 ? { 'Retry-After': String(fault.retryAfterSeconds ?? 1) } : {}
    )
    return true
  }

  private roleOf(claims: TokenClaims): ReadonlySet<KustoRole> {
    if (claims.tid.toLowerCase() !== this.deps.tenantId.toLowerCase()) {
      return new Set(['none'])
    }
    return this.roles.get(principalOf(claims).toLowerCase()) ?? new Set(['admin'])
  }

  private ensureTable(database: string, name: string, columns: Array<[string, string]>): Table {
    let db = this.dbs.get(database)
    if (!db) {
      db = new Map()
      this.dbs.set(database, db)
    }
    let table = db.get(name)
    if (!table) {
      table = { columns: [], rows: [], extentTags: new Set(), mappings: new Map() }
      db.set(name, table)
    }
    for (const [col, type] of columns) {
      if (!table.columns.some(([c]) => c === col)) {
        table.columns.push([col, type])
      }
    }
    return table
  }

  private query(
    res: ServerResponse,
    db: Db,
    q: ReturnType<typeof parseKustoQuery>,
    isFaultPartial: boolean,
    entry: KustoRequest,
    fail: (status: number, code: string, message: string, detail?: string) => true
  ): true {
    const table = db.get(q.table)
    if (!table) {
      return fail(
        400,
        'General_BadRequest',
        'Request is invalid and cannot be executed.',
        `Semantic error: 'table' operator: Failed to resolve table expression named '${q.table}'`
      )
    }
    entry.status = 200
    if (q.kind === 'getschema') {
      const rows = table.columns.map(([name, type], i) => [
        name,
        i,
        `System.${V1_TYPES[type] ?? 'Object'}`,
        type
      ])
      entry.rows = rows.length
      sendJson(
        res,
        200,
        v2Frames(
          [
            ['ColumnName', 'string'],
            ['ColumnOrdinal', 'int'],
            ['DataType', 'string'],
            ['ColumnType', 'string']
          ],
          rows,
          undefined
        )
      )
      return true
    }
    for (const eq of q.equals) {
      if (!table.columns.some(([c]) => c === eq.column)) {
        return fail(
          400,
          'General_BadRequest',
          'Request is invalid and cannot be executed.',
          `Semantic error: Failed to resolve scalar expression named '${eq.column}'`
        )
      }
    }
    let rows = this.select(table, q)
    if (q.kind === 'count') {
      entry.rows = 1
      sendJson(res, 200, v2Frames([['Count', 'long']], [[rows.length]], undefined))
      return true
    }
    if (q.kind === 'count-by-bin') {
      const bins = new Map<number, number>()
      for (const r of rows) {
        const t = Date.parse(String(r.TimeGenerated))
        const bin = Math.floor(t / q.binMs) * q.binMs
        bins.set(bin, (bins.get(bin) ?? 0) + 1)
      }
      const out = [...bins]
        .sort((a, b) => a[0] - b[0])
        .map(([t, n]) => [new Date(t).toISOString(), n])
      entry.rows = out.length
      sendJson(
        res,
        200,
        v2Frames(
          [
            ['TimeGenerated', 'datetime'],
            ['count_', 'long']
          ],
          out,
          undefined
        )
      )
      return true
    }
    if (q.take !== undefined) {
      rows = rows.slice(0, q.take)
    }
    let values = rows.map((r) => table.columns.map(([c]) => r[c] ?? null))
    let partial: string | undefined
    if (values.length > this.limits.maxRows) {
      values = values.slice(0, this.limits.maxRows)
      partial = `Query result set has exceeded the internal record count limit ${this.limits.maxRows} (E_QUERY_RESULT_SET_TOO_LARGE; see https://aka.ms/kustoquerylimits)`
    }
    let bytes = 0
    for (let i = 0; i < values.length; i++) {
      bytes += JSON.stringify(values[i]).length + 1
      if (bytes > this.limits.maxBytes) {
        values = values.slice(0, i)
        partial = `Query result set has exceeded the internal data size limit ${this.limits.maxBytes} (E_QUERY_RESULT_SET_TOO_LARGE; see https://aka.ms/kustoquerylimits)`
        break
      }
    }
    if (isFaultPartial) {
      values = values.slice(0, Math.floor(values.length / 2))
      partial = 'Query execution has exceeded the allowed limits (80DA0001): The query was aborted.'
    }
    entry.rows = values.length
    entry.partial = partial !== undefined
    sendJson(res, 200, v2Frames(table.columns, values, partial))
    return true
  }

  /** Rows of a data query, sorted by time. */
  private select(table: Table, q: KustoDataQuery): Array<Record<string, unknown>> {
    // The cheap equality first, the time parse only for rows that pass it: a push counts each
    // of its parts in a table that grows to a million rows (bench/push.bench.mjs).
    return table.rows
      .filter(
        (r) =>
          q.equals.every((eq) => r[eq.column] === eq.value) &&
          withinBounds(Date.parse(String(r.TimeGenerated)), q.bounds)
      )
      .sort((a, b) => String(a.TimeGenerated).localeCompare(String(b.TimeGenerated)))
  }

  private command(
    res: ServerResponse,
    dbName: string,
    db: Db,
    command: KustoCommand,
    role: ReadonlySet<KustoRole>,
    claims: TokenClaims,
    entry: KustoRequest,
    fail: (status: number, code: string, message: string, detail?: string) => true
  ): true {
    const needs: KustoRole[] =
      command.kind === 'show-tables' || command.kind === 'show-mappings'
        ? ['viewer', 'ingestor', 'admin']
        : command.kind === 'ingest-inline'
          ? ['ingestor', 'admin']
          : ['admin']
    if (!hasRole(role, ...needs)) {
      return fail(
        403,
        'Forbidden',
        'Caller is not authorized to perform this action',
        `Principal '${principalOf(claims)}' is not authorized to run '${command.kind}' on database '${dbName}'.`
      )
    }
    const noTable = (name: string): true =>
      fail(
        400,
        'General_BadRequest',
        'Request is invalid and cannot be executed.',
        `Entity ID '${name}' of kind 'Table' was not found.`
      )
    entry.status = 200
    switch (command.kind) {
      case 'create-merge-table': {
        const table = this.ensureTable(dbName, command.table, command.columns)
        sendJson(
          res,
          200,
          v1Table(
            [
              ['TableName', 'string'],
              ['Schema', 'string'],
              ['DatabaseName', 'string'],
              ['Folder', 'string'],
              ['DocString', 'string']
            ],
            [
              [
                command.table,
                JSON.stringify({
                  Name: command.table,
                  OrderedColumns: table.columns.map(([Name, CslType]) => ({ Name, CslType }))
                }),
                dbName,
                '',
                ''
              ]
            ]
          )
        )
        return true
      }
      case 'create-mapping': {
        const table = db.get(command.table)
        if (!table) {
          return noTable(command.table)
        }
        const problem = mappingProblem(command.mapping, table)
        if (problem) {
          return fail(
            400,
            'General_BadRequest',
            'Request is invalid and cannot be executed.',
            problem
          )
        }
        table.mappings.set(command.name, command.mapping)
        sendJson(
          res,
          200,
          v1Table(
            [
              ['Name', 'string'],
              ['Kind', 'string'],
              ['Mapping', 'string'],
              ['LastUpdatedOn', 'datetime'],
              ['Database', 'string'],
              ['Table', 'string']
            ],
            [
              [
                command.name,
                'Json',
                JSON.stringify(command.mapping),
                this.deps.clock.now().toISOString(),
                dbName,
                command.table
              ]
            ]
          )
        )
        return true
      }
      case 'show-tables':
        sendJson(
          res,
          200,
          v1Table(
            [
              ['TableName', 'string'],
              ['DatabaseName', 'string'],
              ['Folder', 'string'],
              ['DocString', 'string']
            ],
            [...db.keys()].map((t) => [t, dbName, '', ''])
          )
        )
        return true
      case 'show-mappings': {
        const table = db.get(command.table)
        if (!table) {
          return noTable(command.table)
        }
        sendJson(
          res,
          200,
          v1Table(
            [
              ['Name', 'string'],
              ['Kind', 'string'],
              ['Mapping', 'string'],
              ['Database', 'string'],
              ['Table', 'string']
            ],
            [...table.mappings].map(([name, m]) => [
              name,
              'Json',
              JSON.stringify(m),
              dbName,
              command.table
            ])
          )
        )
        return true
      }
      case 'ingest-inline': {
        const table = db.get(command.table)
        if (!table) {
          return noTable(command.table)
        }
        const p = command.properties
        const format = (p.format ?? 'csv').toLowerCase()
        if (format !== 'multijson' && format !== 'json') {
          return fail(
            400,
            'General_BadRequest',
            'Request is invalid and cannot be executed.',
            `This emulator ingests format multijson or json only, not '${format}'.`
          )
        }
        const guard = listProperty(p.ingestIfNotExists)
        const tags = listProperty(p.tags)
        if (guard === null || tags === null) {
          return fail(
            400,
            'General_BadRequest',
            'Request is invalid and cannot be executed.',
            'tags and ingestIfNotExists must be JSON arrays of strings'
          )
        }
        const operationId = randomUUID()
        if (guard.some((g) => table.extentTags.has(`ingest-by:${g}`))) {
          // Skipped: an extent with one of these ingest-by tags exists (no rows, no error).
          sendJson(res, 200, inlineResult([]))
          return true
        }
        const parsed = this.mapRows(table, command.data, p.ingestionMappingReference)
        if ('error' in parsed) {
          return fail(
            400,
            'General_BadRequest',
            'Request is invalid and cannot be executed.',
            parsed.error
          )
        }
        table.rows.push(...parsed.rows)
        for (const tag of tags) {
          table.extentTags.add(tag)
        }
        entry.rows = parsed.rows.length
        sendJson(
          res,
          200,
          inlineResult([[randomUUID(), 'inproc:' + operationId, '00:00:00.1', false, operationId]])
        )
        return true
      }
    }
  }

  private streamingIngest(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    path: RegExpExecArray | null,
    body: Buffer,
    claims: TokenClaims,
    entry: KustoRequest,
    fail: (status: number, code: string, message: string, detail?: string) => true
  ): true {
    const dbName = decodeURIComponent(path?.[1] ?? '')
    const tableName = decodeURIComponent(path?.[2] ?? '')
    entry.database = dbName
    entry.csl = `ingest ${tableName} ${url.search}`.slice(0, 300)
    const db = this.dbs.get(dbName)
    const role = this.roleOf(claims)
    if (!db || !hasRole(role, 'ingestor', 'admin')) {
      return fail(
        403,
        'Forbidden',
        'Caller is not authorized to perform this action',
        `Principal '${principalOf(claims)}' is not authorized to ingest into database '${dbName}'.`
      )
    }
    const fault = this.takeFault(['any', 'ingest'])
    if (fault && 'status' in fault) {
      return this.answerFault(res, entry, fault)
    }
    const table = db.get(tableName)
    if (!table) {
      return fail(
        404,
        'BadRequest_EntityNotFound',
        'Request is invalid and cannot be executed.',
        `Entity ID '${tableName}' of kind 'Table' was not found.`
      )
    }
    const format = url.searchParams.get('streamFormat')?.toLowerCase()
    if (format !== 'multijson' && format !== 'json') {
      return fail(
        400,
        'BadRequest_InvalidArgument',
        'Request is invalid and cannot be executed.',
        `This emulator streams format multijson or json only, not '${format ?? ''}'.`
      )
    }
    let data = body
    const encoding = req.headers['content-encoding']?.toLowerCase()
    if (encoding === 'gzip') {
      try {
        data = gunzipSync(body, { maxOutputLength: this.limits.streamingMaxBytes + 1 })
      } catch (error) {
        const isTooLarge = (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE'
        return isTooLarge
          ? this.tooLarge(fail)
          : fail(
              400,
              'BadRequest_InvalidArgument',
              'Request is invalid and cannot be executed.',
              'The gzip body does not decompress.'
            )
      }
    } else if (encoding !== undefined && encoding !== 'identity') {
      return fail(
        400,
        'BadRequest_InvalidArgument',
        'Request is invalid and cannot be executed.',
        `Unsupported Content-Encoding '${encoding}'.`
      )
    }
    if (data.length > this.limits.streamingMaxBytes) {
      return this.tooLarge(fail)
    }
    const parsed = this.mapRows(
      table,
      data.toString('utf8'),
      url.searchParams.get('mappingName') ?? undefined
    )
    if ('error' in parsed) {
      return fail(
        400,
        'BadRequest_InvalidArgument',
        'Request is invalid and cannot be executed.',
        parsed.error
      )
    }
    // One request is one transaction: all its rows land, or none.
    table.rows.push(...parsed.rows)
    entry.status = 200
    entry.rows = parsed.rows.length
    sendJson(
      res,
      200,
      v1Table(
        [
          ['ConsumedRecordsCount', 'long'],
          ['UpdatePolicyStatus', 'string'],
          ['UpdatePolicyFailureCode', 'string'],
          ['UpdatePolicyFailureReason', 'string']
        ],
        [[parsed.rows.length, 'Inactive', 'Unknown', '']]
      )
    )
    return true
  }

  private tooLarge(
    fail: (status: number, code: string, message: string, detail?: string) => true
  ): true {
    return fail(
      413,
      'BadRequest_StreamingIngestionDataTooLarge',
      'Request is invalid and cannot be executed.',
      `Streaming ingestion takes at most ${this.limits.streamingMaxBytes} bytes of data per request.`
    )
  }

  /** Parses multijson text and maps it into rows (by the mapping, or by column name). */
  private mapRows(
    table: Table,
    text: string,
    mappingName: string | undefined
  ): { rows: Array<Record<string, unknown>> } | { error: string } {
    let mapping: Array<{ column: string; path: string; datatype?: string }>
    if (mappingName !== undefined) {
      const m = table.mappings.get(mappingName)
      if (!m) {
        return {
          error: `Mapping reference '${mappingName}' of type 'mappingReference' in database could not be found.`
        }
      }
      mapping = m as typeof mapping
    } else {
      mapping = table.columns.map(([c, t]) => ({ column: c, path: `$.${c}`, datatype: t }))
    }
    const objects: unknown[] = []
    try {
      for (const value of splitMultiJson(text)) {
        objects.push(value)
      }
    } catch (error) {
      return { error: `Stream_WrongFormat: ${(error as Error).message}` }
    }
    const types = new Map(table.columns)
    const rows = objects.map((o) => {
      const row: Record<string, unknown> = {}
      for (const [c] of table.columns) {
        row[c] = null
      }
      for (const m of mapping) {
        const key = m.path.replace(/^\$\./, '')
        const value =
          o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[key] : undefined
        row[m.column] = convert(value, types.get(m.column) ?? m.datatype ?? 'dynamic')
      }
      return row
    })
    return { rows }
  }
}

const FAULT_TEXT: Record<number, [string, string, string | undefined]> = {
  401: ['Unauthorized', 'The token is missing, expired or not for this cluster.', undefined],
  403: ['Forbidden', 'Caller is not authorized to perform this action', undefined],
  429: [
    'TooManyRequests',
    'Request is denied due to throttling.',
    "The request was throttled by the cluster's capacity policy. Retrying after some backoff might succeed."
  ],
  500: ['InternalServiceError', 'An internal error occurred.', undefined],
  503: ['ServiceUnavailable', 'The service is temporarily unavailable.', undefined],
  504: [
    'GatewayTimeout',
    'The request timed out at the gateway.',
    'Request execution timeout (E_QUERY_TIMED_OUT).'
  ]
}

/** The OneApi error body Kusto answers with. */
function oneApiError(
  code: string,
  message: string,
  detail: string | undefined,
  status: number
): unknown {
  return {
    error: {
      code,
      message,
      '@type': `Kusto.Data.Exceptions.${code.replace(/[^A-Za-z]/g, '')}Exception`,
      '@message': detail ?? message,
      '@context': {
        timestamp: new Date().toISOString(),
        clientRequestId: randomUUID(),
        activityId: randomUUID()
      },
      '@permanent': status !== 429 && status < 500
    }
  }
}

function hasRole(roles: ReadonlySet<KustoRole>, ...any: KustoRole[]): boolean {
  return any.some((r) => roles.has(r))
}

function principalOf(claims: TokenClaims): string {
  return claims.appId ? `aadapp=${claims.appId}` : `aaduser=${claims.oid ?? 'unknown'}`
}

/** A v1 response: `{ Tables: [ { TableName, Columns, Rows } ] }`. */
function v1Table(columns: Array<[string, string]>, rows: unknown[][]): unknown {
  return {
    Tables: [
      {
        TableName: 'Table_0',
        Columns: columns.map(([ColumnName, type]) => ({
          ColumnName,
          DataType: V1_TYPES[type] ?? 'Object',
          ColumnType: type
        })),
        Rows: rows
      }
    ]
  }
}

function inlineResult(rows: unknown[][]): unknown {
  return v1Table(
    [
      ['ExtentId', 'guid'],
      ['ItemLoaded', 'string'],
      ['Duration', 'string'],
      ['HasErrors', 'bool'],
      ['OperationId', 'guid']
    ],
    rows
  )
}

/** A v2 (non-progressive) response: the frame array. */
function v2Frames(
  columns: ReadonlyArray<readonly [string, string]>,
  rows: unknown[][],
  partial: string | undefined
): unknown {
  const error = partial
    ? {
        error: {
          code: 'LimitsExceeded',
          message: 'Request is invalid and cannot be executed.',
          '@type': 'Kusto.Data.Exceptions.KustoServicePartialQueryFailureLimitsExceededException',
          '@message': partial,
          '@permanent': false
        }
      }
    : undefined
  return [
    { FrameType: 'DataSetHeader', IsProgressive: false, Version: 'v2.0' },
    {
      FrameType: 'DataTable',
      TableId: 0,
      TableKind: 'QueryProperties',
      TableName: '@ExtendedProperties',
      Columns: [
        { ColumnName: 'TableId', ColumnType: 'int' },
        { ColumnName: 'Key', ColumnType: 'string' },
        { ColumnName: 'Value', ColumnType: 'dynamic' }
      ],
      Rows: [[1, 'Visualization', '{"Visualization":null}']]
    },
    {
      FrameType: 'DataTable',
      TableId: 1,
      TableKind: 'PrimaryResult',
      TableName: 'PrimaryResult',
      Columns: columns.map(([ColumnName, ColumnType]) => ({ ColumnName, ColumnType })),
      Rows: error ? [...rows, { OneApiErrors: [error] }] : rows
    },
    {
      FrameType: 'DataTable',
      TableId: 2,
      TableKind: 'QueryCompletionInformation',
      TableName: 'QueryCompletionInformation',
      Columns: [
        { ColumnName: 'Timestamp', ColumnType: 'datetime' },
        { ColumnName: 'EventTypeName', ColumnType: 'string' },
        { ColumnName: 'Payload', ColumnType: 'string' }
      ],
      Rows: [[new Date().toISOString(), 'QueryResourceConsumption', '{}']]
    },
    error
      ? { FrameType: 'DataSetCompletion', HasErrors: true, Cancelled: false, OneApiErrors: [error] }
      : { FrameType: 'DataSetCompletion', HasErrors: false, Cancelled: false }
  ]
}

/** Whether a mapping is a list of `{ column, path: '$.x' }` over the table's columns; why not. */
function mappingProblem(mapping: unknown, table: Table): string | undefined {
  if (!Array.isArray(mapping) || mapping.length === 0) {
    return 'The json mapping must be a non-empty array.'
  }
  for (const m of mapping as Array<Record<string, unknown>>) {
    if (
      typeof m?.column !== 'string' ||
      typeof m.path !== 'string' ||
      !/^\$\.[A-Za-z_][A-Za-z0-9_]*$/.test(m.path)
    ) {
      return `Invalid mapping entry ${JSON.stringify(m).slice(0, 120)}`
    }
    if (!table.columns.some(([c]) => c === m.column)) {
      return `Mapping column '${String(m.column)}' does not exist in the table.`
    }
  }
  return undefined
}

/** `'["a","b"]'` → the strings; undefined → []; anything else → null. */
function listProperty(text: string | undefined): string[] | null {
  if (text === undefined) {
    return []
  }
  try {
    const value = JSON.parse(text) as unknown
    return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : null
  } catch {
    return null
  }
}

/** multijson: JSON objects one after another, any whitespace between them. */
function* splitMultiJson(text: string): Generator<unknown> {
  let depth = 0
  let start = -1
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      if (c === '\\') {
        i++
      } else if (c === '"') {
        inString = false
      }
      continue
    }
    if (c === '"') {
      inString = true
    } else if (c === '{') {
      if (depth === 0) {
        start = i
      }
      depth++
    } else if (c === '}') {
      depth--
      if (depth === 0) {
        yield JSON.parse(text.slice(start, i + 1))
      }
    } else if (depth === 0 && !/\s/.test(c ?? '')) {
      throw new Error(`unexpected '${c ?? ''}' between JSON objects at offset ${i}`)
    }
  }
  if (depth !== 0 || inString) {
    throw new Error('the data ends inside a JSON object')
  }
}

function convert(value: unknown, type: string): unknown {
  if (value === undefined || value === null) {
    return null
  }
  switch (type) {
    case 'datetime': {
      const t = Date.parse(String(value))
      return Number.isNaN(t) ? null : new Date(t).toISOString()
    }
    case 'int':
    case 'long':
    case 'real': {
      const n = Number(value)
      return Number.isFinite(n) ? n : null
    }
    case 'bool':
      return value === true || value === 'true' || value === 'True'
    case 'string':
      return typeof value === 'string' ? value : JSON.stringify(value)
    default:
      return value
  }
}

/** Reads a body as bytes, refusing more than `max` (the rest is read and dropped, so a 413 can go out). */
function readRaw(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= max) {
        chunks.push(chunk)
      }
    })
    req.on('end', () =>
      size > max ? reject(new Error('body too large')) : resolve(Buffer.concat(chunks))
    )
    req.on('error', reject)
  })
}
