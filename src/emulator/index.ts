import { createServer } from 'node:https'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

import { testCertificates } from './certs'
import { createClock } from './clock'
import type { EmulatorClock } from './clock'
import { ContentStore } from './content-store'
import { FakeEntra } from './entra'
import type { EntraControls } from './entra'
import { createWorld } from './generator'
import type { GeneratorConfig, TenantWorld } from './generator'
import { GraphAuditApi } from './graph-api'
import { sendJson } from './http-util'
import { createSigningKey } from './jwt'
import { CustomTables } from './custom-tables'
import { LogAnalyticsApi } from './log-analytics-api'
import type { LogAnalyticsControls } from './log-analytics-api'
import { LogsIngestionApi } from './logs-ingestion-api'
import type { LogsIngestionControls } from './logs-ingestion-api'
import { KustoApi } from './kusto-api'
import type { KustoControls } from './kusto-api'
import { ManagementApi } from './management-api'
import type { RequestLogEntry } from './management-api'
import { stableUuid } from './prng'
import { resolveScenario } from './scenarios'
import type { FaultConfig, ScenarioConfig, ScenarioName } from './scenarios'
import { createTenantModel } from './tenant'
import type { EmulatedUser } from './tenant'
import { handleTestHook } from './test-hooks'

export type { EmulatedUser } from './tenant'
export type { EmulatorClock } from './clock'
export type { EntraControls, HeadlessMode } from './entra'
export type { FaultConfig, ScenarioConfig, ScenarioName } from './scenarios'
export type { RequestLogEntry } from './management-api'
export type { AuditRecord, ContentType } from './generator'
export type {
  LogAnalyticsControls,
  LogAnalyticsFault,
  LogAnalyticsRequest
} from './log-analytics-api'
export { LOG_ANALYTICS_LIMITS } from './log-analytics-api'
export type { IngestionFault, IngestionRequest, LogsIngestionControls } from './logs-ingestion-api'
export { LOGS_INGESTION_LIMITS } from './logs-ingestion-api'
export type { KustoControls, KustoFault, KustoRequest, KustoRole } from './kusto-api'
export { KUSTO_DEFAULT_DATABASE, KUSTO_LIMITS } from './kusto-api'
export { SCENARIOS, parseScenarioFile } from './scenarios'

/** Options for {@link startEmulator}. */
export interface EmulatorOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number
  /** A built-in scenario name or a full config (default `demo`). */
  scenario?: ScenarioName | ScenarioConfig
  /** Seed for ids and generated activity (default 1). */
  seed?: number
  /** Enables `/_test/*` (including ground truth). Default false. */
  testHooks?: boolean
  /** Initial clock. When given the clock is frozen (moves only via clock.set/advance);
   * otherwise it follows real time. */
  now?: Date
  /** How many Management API requests the request log keeps, newest last (default 5,000). */
  requestLogLimit?: number
}

/** A running emulator. */
export interface Emulator {
  urls: {
    /** `https://127.0.0.1:P` — Entra at the root: `/<tenant>/oauth2/v2.0/...`. */
    authorityHost: string
    /** `https://127.0.0.1:P/manage` → `/manage/api/v1.0/<tenant>/activity/feed/...`. */
    managementApiBase: string
    /** `https://127.0.0.1:P/graph` → `/graph/beta/security/auditLog/queries`. */
    graphBase: string
    /** `https://127.0.0.1:P/loganalytics` → `/loganalytics/v1/workspaces/<id>/query`. */
    logAnalyticsBase: string
    /** `https://127.0.0.1:P/ingest` → `/ingest/dataCollectionRules/<id>/streams/<stream>`: the
     * data collection endpoint of every rule deployed with `logsIngestion.deploy`. */
    logsIngestionEndpoint: string
    /** `https://127.0.0.1:P/kusto`: a fake Azure Data Explorer cluster (`/v2/rest/query`,
     * `/v1/rest/mgmt`, `/v1/rest/ingest/<db>/<table>`); its token audience is the origin. */
    kustoClusterUrl: string
  }
  /** The test CA to trust (custom https.Agent `ca`, or NODE_EXTRA_CA_CERTS). */
  caCertPem: string
  tenantId: string
  /** The public-client app registration the emulator accepts. */
  clientId: string
  users: { admin: EmulatedUser; reader: EmulatedUser; noPermission: EmulatedUser }
  /** A second tenant (Fabrikam) with its own activity, for multi-tenant and `/organizations`
   * sign-ins; its admin has the same permissions as `users.admin`. */
  partnerTenant: { tenantId: string; admin: EmulatedUser }
  /** The home tenant's Log Analytics (Sentinel) workspace id. */
  workspaceId: string
  /** Controls of the fake Log Analytics query API (limits, scripted faults, request log). */
  logAnalytics: LogAnalyticsControls
  /** Controls of the fake Logs Ingestion API (deploy a `_CL` table and rule, limits, faults). */
  logsIngestion: LogsIngestionControls
  /** Controls of the fake Azure Data Explorer cluster (tables, roles, faults, request log). */
  kusto: KustoControls
  clock: EmulatorClock
  entra: EntraControls
  faults: { set(f: Partial<FaultConfig>): void; get(): FaultConfig }
  /** The scenario in use. */
  scenario: ScenarioConfig
  /** Unique event Ids in blobs listable now with contentCreated in [start, end)
   * (home tenant unless `tenantId` names the partner tenant). */
  groundTruth(start: Date, end: Date, contentType?: string, tenantId?: string): Set<string>
  /** Management API request log (newest last, capped at `requestLogLimit`, default 5,000). */
  requestLog(): RequestLogEntry[]
  close(): Promise<void>
}

/** The request log's default cap. */
export const DEFAULT_REQUEST_LOG_LIMIT = 5000

/**
 * Makes a response's `Date` header tell the emulator clock rather than real time, so clients can
 * learn the server's clock skew (management-api.md §7 item 11). The header is set when the status
 * line is written (`writeHead`, which Node also calls for implicit headers), so slow responses
 * carry the time they were answered.
 */
function stampDate(res: ServerResponse, clock: EmulatorClock): void {
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse
  res.writeHead = ((...args: unknown[]): ServerResponse => {
    if (!res.headersSent) {
      res.setHeader('Date', clock.now().toUTCString())
    }
    return writeHead(...args)
  }) as ServerResponse['writeHead']
}

/** Starts the emulator: one HTTPS server on 127.0.0.1 serving Entra ID, Management API and Graph. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const certs = await testCertificates()
  const seed = options.seed ?? 1
  const logLimit = options.requestLogLimit ?? DEFAULT_REQUEST_LOG_LIMIT
  if (!Number.isInteger(logLimit) || logLimit < 0) {
    throw new Error(`[emulator] requestLogLimit must be a whole number >= 0, got ${logLimit}`)
  }
  const scenario = resolveScenario(options.scenario)
  const clock = createClock(options.now)
  const key = createSigningKey()
  const tenant = createTenantModel(seed)
  const partner = createTenantModel(seed, 'partner')
  let faults: FaultConfig = { ...scenario.faults, failNext: [...scenario.faults.failNext] }
  let base = ''
  const baseUrl = (): string => base
  const entra = new FakeEntra({ baseUrl, tenants: [tenant, partner], clock, key })
  const data = new Map<string, { cfg: GeneratorConfig; world: TenantWorld; store: ContentStore }>()
  for (const [model, tenantSeed] of [
    [tenant, seed],
    [partner, seed + 7919]
  ] as const) {
    const cfg: GeneratorConfig = { ...scenario.generator, seed: tenantSeed }
    const world = createWorld(tenantSeed, model)
    const store = new ContentStore({
      cfg,
      world,
      clock,
      preSubscribed: scenario.preSubscribed,
      firstContentDelayMinutes: () => faults.firstContentDelayMinutes,
      restartRuleMinutes: () => faults.restartRuleMinutes
    })
    data.set(model.tenantId, { cfg, world, store })
  }
  const homeStore = data.get(tenant.tenantId)?.store
  if (!homeStore) {
    throw new Error('[emulator] home tenant missing')
  }
  const management = new ManagementApi({
    baseUrl,
    clock,
    publicKey: key.publicKey,
    stores: new Map([...data].map(([id, d]) => [id, d.store])),
    faults: () => faults,
    seed,
    logLimit
  })
  const graph = new GraphAuditApi({
    baseUrl,
    clock,
    publicKey: key.publicKey,
    tenants: data,
    faults: () => faults
  })
  const workspaceId = stableUuid(seed, 'workspace')
  const customTables = new CustomTables()
  const workspaces = [
    { model: tenant, id: workspaceId },
    { model: partner, id: stableUuid(seed, 'workspace', 'partner') }
  ].flatMap(({ model, id }) => {
    const d = data.get(model.tenantId)
    return d ? [{ workspaceId: id, tenantId: model.tenantId, cfg: d.cfg, world: d.world }] : []
  })
  const logAnalytics = new LogAnalyticsApi({
    clock,
    publicKey: key.publicKey,
    workspaces,
    customTables
  })
  const logsIngestion = new LogsIngestionApi({
    baseUrl,
    clock,
    publicKey: key.publicKey,
    tables: customTables,
    homeWorkspaceId: workspaceId,
    tenantOfWorkspace: (id) => workspaces.find((w) => w.workspaceId === id.toLowerCase())?.tenantId
  })
  const home = data.get(tenant.tenantId)
  if (!home) {
    throw new Error('[emulator] home tenant missing')
  }
  const kusto = new KustoApi({
    baseUrl,
    clock,
    publicKey: key.publicKey,
    tenantId: tenant.tenantId,
    home
  })
  const setFaults = (f: Partial<FaultConfig>): void => {
    faults = { ...faults, ...f, failNext: [...(f.failNext ?? faults.failNext)] }
  }
  const groundTruth = (
    start: Date,
    end: Date,
    contentType?: string,
    tenantId?: string
  ): Set<string> =>
    (tenantId ? data.get(tenantId.toLowerCase())?.store : homeStore)?.groundTruth(
      start.getTime(),
      end.getTime(),
      contentType
    ) ?? new Set<string>()

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', base)
    if (url.pathname.startsWith('/_test/')) {
      if (!options.testHooks) {
        sendJson(res, 404, { error: { code: 'NotFound', message: 'Test hooks are disabled.' } })
        return
      }
      await handleTestHook(req, res, url, {
        clock,
        entra,
        setFaults,
        faults: () => faults,
        groundTruth,
        requestLog: () => management.log,
        kusto,
        customTables,
        workspaceId
      })
      return
    }
    if (
      (await management.handle(req, res, url)) ||
      (await graph.handle(req, res, url)) ||
      (await logAnalytics.handle(req, res, url)) ||
      (await logsIngestion.handle(req, res, url)) ||
      (await kusto.handle(req, res, url))
    ) {
      return
    }
    if (await entra.handle(req, res, url)) {
      return
    }
    sendJson(res, 404, { error: { code: 'NotFound', message: `No route for ${url.pathname}` } })
  }

  const server = createServer(
    { key: certs.serverKeyPem, cert: certs.serverCertPem },
    (req, res) => {
      stampDate(res, clock)
      route(req, res).catch((err: unknown) => {
        if (!res.headersSent) {
          sendJson(res, 500, { error: { code: 'EmulatorError', message: String(err) } })
        } else {
          res.destroy()
        }
      })
    }
  )
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  base = `https://127.0.0.1:${port}`
  const publicUser = (u: EmulatedUser): EmulatedUser => ({
    oid: u.oid,
    upn: u.upn,
    name: u.name,
    tenantId: u.tenantId
  })
  return {
    urls: {
      authorityHost: base,
      managementApiBase: `${base}/manage`,
      graphBase: `${base}/graph`,
      logAnalyticsBase: `${base}/loganalytics`,
      logsIngestionEndpoint: `${base}/ingest`,
      kustoClusterUrl: `${base}/kusto`
    },
    caCertPem: certs.caCertPem,
    tenantId: tenant.tenantId,
    clientId: tenant.clientId,
    users: {
      admin: publicUser(tenant.users.admin),
      reader: publicUser(tenant.users.reader),
      noPermission: publicUser(tenant.users.noPermission)
    },
    partnerTenant: { tenantId: partner.tenantId, admin: publicUser(partner.users.admin) },
    workspaceId,
    logAnalytics,
    logsIngestion,
    kusto,
    clock,
    entra,
    faults: { set: setFaults, get: () => faults },
    scenario,
    groundTruth,
    requestLog: () => [...management.log],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
