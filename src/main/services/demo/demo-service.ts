/**
 * The demo tenant: the local Microsoft 365 emulator started in-process with realistic Power
 * Platform activity, and a profile pointing at it, so a newcomer can explore without a tenant.
 *
 * Its sign-in is simulated: the emulator approves it by itself (no browser window opens), because
 * a real browser would not trust the emulator's throwaway certificate. Its tokens are throwaway
 * too: the auth service keeps a demo profile's tokens in memory and never asks the OS keychain.
 */
import { KUSTO_DEFAULT_DATABASE, startEmulator, type Emulator } from '../../../emulator'
import { ADX_DEFAULT_TABLE } from '../../../shared/adx/adx-table'
import { DEFAULT_WORKSPACE_TABLES } from '../../../shared/profiles'
import type { Profile } from '../../../shared/profiles'

import type { DestinationsService } from '../destinations/destinations-service'
import type { HttpsClient } from '../http/https-client'
import type { Logger } from '../logging/logger'
import type { ProfilesService } from '../profiles/profiles-service'

/** The demo cluster's table of history (what a scheduled `cax push adx` would have filled). */
export const DEMO_ADX_TABLE = 'ConnectorHistory'

/** A fixed port keeps the demo profile's endpoints the same across launches; 0 if it is taken. */
export const DEMO_PREFERRED_PORT = 47_813

export interface DemoServiceDeps {
  profiles: ProfilesService
  /** When given, the demo also adds a "Send to…" destination: its emulator's ADX cluster. */
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
  private isAdxSeeded = false

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

  /** The demo's Azure Data Explorer cluster as a "Send to…" destination (main sets its URL). */
  private async saveDestination(emu: Emulator, tenant: Profile): Promise<void> {
    const destinations = this.deps.destinations
    if (!destinations) {
      return
    }
    const existing = (await destinations.list()).find((d) => d.isDemo && d.kind === 'adx')
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

  /** Stops the demo tenant. */
  async close(): Promise<void> {
    const running = this.emulator
    this.emulator = undefined
    this.isAdxSeeded = false
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
