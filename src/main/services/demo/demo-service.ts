/**
 * The demo tenant: the local Microsoft 365 emulator started in-process with realistic Power
 * Platform activity, and a profile pointing at it, so a newcomer can explore without a tenant.
 *
 * Its sign-in is simulated: the emulator approves it by itself (no browser window opens), because
 * a real browser would not trust the emulator's throwaway certificate. Its tokens are throwaway
 * too: the auth service keeps a demo profile's tokens in memory and never asks the OS keychain.
 */
import { startEmulator, type Emulator } from '../../../emulator'
import { DEFAULT_WORKSPACE_TABLES } from '../../../shared/profiles'
import type { Profile } from '../../../shared/profiles'

import type { HttpsClient } from '../http/https-client'
import type { Logger } from '../logging/logger'
import type { ProfilesService } from '../profiles-service'

/** A fixed port keeps the demo profile's endpoints the same across launches; 0 if it is taken. */
export const DEMO_PREFERRED_PORT = 47_813

export interface DemoServiceDeps {
  profiles: ProfilesService
  http: HttpsClient
  log: Logger
  preferredPort?: number
}

/** Starts the demo tenant on demand and keeps its profile up to date. */
export class DemoService {
  private emulator: Promise<Emulator> | undefined

  constructor(private readonly deps: DemoServiceDeps) {}

  /** Starts the demo tenant if needed and returns its profile (created on first use). */
  async open(): Promise<Profile> {
    const emu = await this.start()
    const demos = (await this.deps.profiles.list()).filter((p) => p.isDemo)
    const existing = demos.find((p) => p.kind !== 'workspace')
    const existingWorkspace = demos.find((p) => p.kind === 'workspace')
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
    return tenant
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
    if (running) {
      await (await running).close()
    }
  }

  private start(): Promise<Emulator> {
    this.emulator ??= (async () => {
      const port = this.deps.preferredPort ?? DEMO_PREFERRED_PORT
      const emu = await startEmulator({ port }).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EADDRINUSE') {
          throw error
        }
        return startEmulator({ port: 0 })
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
