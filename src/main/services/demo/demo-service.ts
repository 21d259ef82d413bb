/**
 * The demo tenant: the local Microsoft 365 emulator started in-process with realistic Power
 * Platform activity, and a profile pointing at it, so a newcomer can explore without a tenant.
 *
 * Its sign-in is simulated: the emulator approves it by itself (no browser window opens), because
 * a real browser would not trust the emulator's throwaway certificate. Its tokens are throwaway
 * too: the auth service keeps a demo profile's tokens in memory and never asks the OS keychain.
 */
import { randomUUID } from 'node:crypto'

import { KUSTO_DEFAULT_DATABASE, startEmulator, type Emulator } from '../../../emulator'
import { ADX_DEFAULT_TABLE } from '../../../shared/adx/adx-table'
import { DEFAULT_WORKSPACE_TABLES } from '../../../shared/profiles'
import type { Profile } from '../../../shared/profiles'

import type { DestinationsService } from '../destinations/destinations-service'
import {
  DEFAULT_TABLE as LOG_ANALYTICS_DEFAULT_TABLE,
  ruleDefinition,
  tableDefinition
} from '../destinations/log-analytics/table-definition'
import type { HttpsClient } from '../http/https-client'
import type { Logger } from '../logging/logger'
import type { ProfilesService } from '../profiles/profiles-service'

/** The demo cluster's table of history (what a scheduled `cax push adx` would have filled). */
export const DEMO_ADX_TABLE = 'ConnectorHistory'

/** The demo workspace's custom table "Send to…" fills through the demo's data collection rule. */
export const DEMO_LOG_ANALYTICS_TABLE = LOG_ANALYTICS_DEFAULT_TABLE

/** A fixed port keeps the demo profile's endpoints the same across launches; 0 if it is taken. */
export const DEMO_PREFERRED_PORT = 47_813

export interface DemoServiceDeps {
  profiles: ProfilesService
  /**
   * When given, the demo also adds two "Send to…" destinations: its emulator's ADX cluster and
   * its workspace's `_CL` table behind a data collection rule (the Logs Ingestion fake).
   */
  destinations?: DestinationsService
  http: HttpsClient
  log: Logger
  preferredPort?: number
  /**
   * Opens the emulator's `/_test/*` surface (end-to-end tests read what a send left in its fake
   * cluster). Off unless the browser shell is started from its test-only entry point
   * (src/main/web/start-with-test-hooks.ts, not packaged).
   */
  testHooks?: boolean
}

/** Starts the demo tenant on demand and keeps its profile up to date. */
export class DemoService {
  private emulator: Promise<Emulator> | undefined
  /** The demo workspace's table and rule, deployed in the running emulator as an admin would. */
  private rule: { immutableId: string; endpoint: string } | undefined
  private isAdxSeeded = false
  private instanceId: string | undefined

  constructor(private readonly deps: DemoServiceDeps) {}

  /** Starts the demo tenant if needed and returns its profile (created on first use). */
  async open(): Promise<Profile> {
    const emu = await this.start()
    const demos = (await this.deps.profiles.list()).filter((p) => p.isDemo)
    const existing = demos.find((p) => p.kind === undefined || p.kind === 'tenant')
    const existingWorkspace = demos.find((p) => p.kind === 'workspace')
    const existingAdx = demos.find((p) => p.kind === 'adx')
    // Main sets where the demo's tokens go (the emulator it started), never the UI side.
    const endpoints = {
      authorityHost: emu.urls.authorityHost,
      managementApiBase: emu.urls.managementApiBase,
      graphBase: emu.urls.graphBase,
      logAnalyticsBase: emu.urls.logAnalyticsBase
    }
    const tenant = await this.deps.profiles.save(
      {
        ...(existing ? { id: existing.id } : {}),
        displayName: 'Demo tenant (Contoso)',
        tenant: emu.tenantId,
        clientId: emu.clientId,
        cloud: 'commercial',
        signInMode: 'interactive'
      },
      { endpoints, isDemo: true }
    )
    // The same tenant's Sentinel workspace, so the demo can show a workspace source too.
    await this.deps.profiles.save(
      {
        ...(existingWorkspace ? { id: existingWorkspace.id } : {}),
        kind: 'workspace',
        workspace: { workspaceId: emu.workspaceId, tables: [...DEFAULT_WORKSPACE_TABLES] },
        displayName: 'Demo workspace (Contoso Sentinel)',
        tenant: emu.tenantId,
        clientId: emu.clientId,
        cloud: 'commercial',
        signInMode: 'interactive'
      },
      { endpoints, isDemo: true }
    )
    // The same tenant's older history in an Azure Data Explorer table (filled on first use), so
    // the demo can show an ADX source too.
    await this.deps.profiles.save(
      {
        ...(existingAdx ? { id: existingAdx.id } : {}),
        kind: 'adx',
        adx: {
          cluster: emu.urls.kustoClusterUrl,
          database: KUSTO_DEFAULT_DATABASE,
          table: DEMO_ADX_TABLE
        },
        displayName: 'Demo ADX history (Contoso)',
        tenant: emu.tenantId,
        clientId: emu.clientId,
        cloud: 'commercial',
        signInMode: 'interactive'
      },
      { endpoints, isDemo: true }
    )
    await this.saveDestination(emu, tenant)
    return tenant
  }

  /**
   * The demo's "Send to…" destinations (main sets their URLs): its Azure Data Explorer cluster,
   * and its Sentinel workspace's `_CL` table through the rule deployed when the emulator started
   * (a new rule id each start: the emulator's tables start empty then too).
   */
  private async saveDestination(emu: Emulator, tenant: Profile): Promise<void> {
    const destinations = this.deps.destinations
    if (!destinations) {
      return
    }
    const saved = await destinations.list()
    const existing = saved.find((d) => d.isDemo && d.kind === 'adx')
    await destinations.save(
      {
        ...(existing ? { id: existing.id } : {}),
        kind: 'adx',
        displayName: 'Demo Azure Data Explorer (Contoso)',
        profileId: tenant.id,
        adx: {
          cluster: emu.urls.kustoClusterUrl,
          database: KUSTO_DEFAULT_DATABASE,
          table: ADX_DEFAULT_TABLE
        }
      },
      { isDemo: true }
    )
    const rule = this.rule
    if (!rule) {
      return
    }
    const existingLa = saved.find((d) => d.isDemo && d.kind === 'loganalytics')
    await destinations.save(
      {
        ...(existingLa ? { id: existingLa.id } : {}),
        kind: 'loganalytics',
        displayName: 'Demo Log Analytics (Contoso Sentinel)',
        profileId: tenant.id,
        loganalytics: {
          endpoint: rule.endpoint,
          ruleId: rule.immutableId,
          table: DEMO_LOG_ANALYTICS_TABLE,
          workspaceId: emu.workspaceId
        }
      },
      { isDemo: true, logAnalyticsBase: emu.urls.logAnalyticsBase }
    )
  }

  /**
   * Starts the demo tenant for one of its profiles. The ADX history table is filled the first
   * time its profile is used (days 8–11 before now: older than the Management API keeps; filling
   * it takes a second or two, so the demo's own start does not wait for it).
   */
  async openFor(profile: Profile): Promise<void> {
    await this.open()
    if (profile.kind === 'adx' && !this.isAdxSeeded) {
      const emu = await this.start()
      const now = Date.now()
      emu.kusto.seedTable(
        KUSTO_DEFAULT_DATABASE,
        DEMO_ADX_TABLE,
        new Date(now - 11 * 86_400_000),
        new Date(now - 7 * 86_400_000)
      )
      this.isAdxSeeded = true
    }
  }

  /** True when the URL belongs to the running demo tenant. */
  async isDemoUrl(url: string): Promise<boolean> {
    if (!this.emulator) {
      return false
    }
    const emu = await this.emulator
    return new URL(url).origin === new URL(emu.urls.authorityHost).origin
  }

  /**
   * Names the emulator running now (a new one at each start, its cluster and workspace empty);
   * undefined while none runs.
   */
  get instance(): string | undefined {
    return this.instanceId
  }

  /** Stops the demo tenant. */
  async close(): Promise<void> {
    const running = this.emulator
    this.emulator = undefined
    this.rule = undefined
    this.isAdxSeeded = false
    this.instanceId = undefined
    if (running) {
      await (await running).close()
    }
  }

  private start(): Promise<Emulator> {
    this.emulator ??= (async () => {
      const port = this.deps.preferredPort ?? DEMO_PREFERRED_PORT
      const testHooks = this.deps.testHooks === true
      const emu = await startEmulator({ port, testHooks }).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EADDRINUSE') {
          throw error
        }
        return startEmulator({ port: 0, testHooks })
      })
      emu.entra.setHeadless('auto')
      this.instanceId = randomUUID()
      // The workspace's table and rule, from the definitions `cax push loganalytics
      // --print-definitions` gives an admin.
      this.rule = emu.logsIngestion.deploy({
        table: tableDefinition(DEMO_LOG_ANALYTICS_TABLE),
        rule: ruleDefinition({
          table: DEMO_LOG_ANALYTICS_TABLE,
          workspaceResourceId: `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo/providers/Microsoft.OperationalInsights/workspaces/contoso-sentinel`,
          location: 'westeurope'
        })
      })
      this.deps.http.addLoopbackCa(emu.caCertPem)
      this.deps.log.info(`[demo] demo tenant running at ${emu.urls.authorityHost}`)
      return emu
    })()
    this.emulator.catch(() => {
      this.emulator = undefined
    })
    return this.emulator
  }
}
