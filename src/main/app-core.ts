/**
 * Builds the services and the contract handlers once, for whichever shell hosts them. The
 * Electron main process and the browser shell both call this, so they run the same code.
 */
import { join } from 'node:path'

import type { NormalizedRecord } from '../shared/audit'
import { packRecords } from '../shared/cache/packed-chunk'
import type { Shell } from '../shared/ipc/contract'

import { createDispatcher, type Dispatcher } from './rpc/dispatch'
import { EventBus } from './rpc/event-bus'
import { createHandlers } from './rpc/handlers'
import { AppAcquisitionLog } from './services/acquisition-log/app-acquisition-log'
import { AcquireService } from './services/acquisition/acquire-service'
import { AuthService, type ExternalOpener } from './services/auth/auth-service'
import { DemoService } from './services/demo/demo-service'
import { DestinationsService } from './services/destinations/destinations-service'
import { SendService } from './services/destinations/send/send-service'
import { HttpsClient } from './services/http/https-client'
import type { Logger } from './services/logging/logger'
import { ProfilesService } from './services/profiles/profiles-service'
import { ReviewPackExports } from './services/report/review-pack-exports'
import type { SecretStore } from './services/auth/secret-store'
import { SettingsService } from './services/app-data/settings-service'
import { downloadsSnapshotLocations } from './services/snapshot/snapshot-locations'
import { SnapshotsService, type SnapshotLocations } from './services/snapshot/snapshots-service'

export interface AppCoreOptions {
  shell: Shell
  version: string
  dataDir: string
  log: Logger
  secrets: SecretStore
  /** Opens the system browser (Electron shell, or xdg-open/open/rundll32). */
  opener: ExternalOpener
  electronVersion?: string | null
  /** Where snapshots are exported to and imported from (default: Downloads, uploads). */
  snapshotLocations?: SnapshotLocations
  /** Test seams: a client that trusts the emulator's CA and refuses other hosts. */
  http?: HttpsClient
  demoPort?: number
  /** Opens the demo emulator's test surface (end-to-end tests only; see DemoServiceDeps). */
  demoTestHooks?: boolean
}

export interface AppCore {
  dispatch: Dispatcher
  bus: EventBus
  /** Read by the desktop shell's updater (the `updates` setting). */
  settings: SettingsService
  /**
   * Snapshot files offered outside the contract: uploads to the browser shell, files opened from
   * the OS in the desktop app.
   */
  snapshots: SnapshotsService
  /**
   * A file the OS asked us to open: a snapshot is verified and announced
   * (`snapshots:did-open`), an audit export offered to the window (`imports:did-open`), anything
   * else ignored. Resolves to what it was.
   */
  openFromOs(path: string): Promise<'snapshot' | 'audit-file' | null>
  /** Stops background work (the demo tenant). */
  close(): Promise<void>
}

/** Wires services, handlers, the dispatcher and the event bus. */
/**
 * A service's batch of records as it crosses to the window: packed as the cache's chunks, so
 * the window stores them without re-encoding (src/shared/cache/packed-chunk.ts).
 */
function packed<P extends { records: NormalizedRecord[] }>(
  push: P
): Omit<P, 'records'> & { count: number; chunks: Uint8Array[] } {
  const { records, ...rest } = push
  return { ...rest, count: records.length, chunks: packRecords(records) }
}

export function createAppCore(options: AppCoreOptions): AppCore {
  const { log } = options
  const bus = new EventBus()
  const http = options.http ?? new HttpsClient()
  const settings = new SettingsService({
    dataDir: options.dataDir,
    log,
    onDidChange: (value) => bus.publish('settings:did-change', value)
  })
  const profiles = new ProfilesService({
    dataDir: options.dataDir,
    log,
    onDidChange: (value) => bus.publish('profiles:did-change', value),
    // A profile whose tenant, app, cloud or endpoints change is signed out: no token follows.
    signOut: async (profile) => {
      await auth.signOut(profile.id)
    }
  })
  const destinations = new DestinationsService({ dataDir: options.dataDir, log, profiles })
  const demo = new DemoService({
    profiles,
    destinations,
    http,
    log,
    ...(options.demoPort !== undefined ? { preferredPort: options.demoPort } : {}),
    ...(options.demoTestHooks ? { testHooks: true } : {})
  })
  const auth = new AuthService({
    profiles,
    secrets: options.secrets,
    http,
    dataDir: options.dataDir,
    log,
    // The demo tenant approves its own sign-ins: fetch its authorize page instead of a browser.
    opener: {
      open: async (url) =>
        (await demo.isDemoUrl(url)) ? void (await http.send({ url })) : options.opener.open(url)
    },
    onDidChange: (state) => bus.publish('auth:did-change', state),
    onDeviceCode: (prompt) => bus.publish('auth:did-receive-device-code', prompt)
  })
  const acquire = new AcquireService({
    profiles,
    auth,
    http,
    log,
    onBatch: (push) => bus.publish('acquire:did-produce-batch', packed(push)),
    onProgress: (jobId, clientId, progress) =>
      bus.publish('acquire:did-progress', { jobId, clientId, progress }),
    onFinish: (finish) => bus.publish('acquire:did-finish', finish)
  })
  const locations =
    options.snapshotLocations ?? downloadsSnapshotLocations({ dataDir: options.dataDir })
  const acquisitionLog = new AppAcquisitionLog({
    dir: options.dataDir,
    log,
    onDidAppend: (entry) => bus.publish('acquire:did-change-log', { entry })
  })
  const snapshots = new SnapshotsService({
    log,
    recordImport: (entry) => acquisitionLog.append(entry),
    shell: options.shell,
    appVersion: options.version,
    privateDir: join(options.dataDir, 'snapshot-imports'),
    auditPrivateDir: join(options.dataDir, 'audit-imports'),
    // Only the desktop preload can read a dropped file's path; the browser shell uploads.
    acceptsDroppedPaths: options.shell === 'desktop',
    locations,
    onImportBatch: (push) => bus.publish('snapshots:did-produce-import-batch', push),
    onImportFinish: (finish) => bus.publish('snapshots:did-finish-import', finish),
    onAuditImportBatch: (push) => bus.publish('imports:did-produce-batch', push),
    onAuditImportFinish: (finish) => bus.publish('imports:did-finish', finish)
  })
  // A review pack from the app is a snapshot of the view plus the XLSX and HTML made from it.
  const reports = new ReviewPackExports({
    log,
    appVersion: options.version,
    chooseExportPath: (name) => (locations.chooseReviewPackPath ?? locations.chooseExportPath)(name)
  })
  // "Send to…": the view's records as a snapshot in a private folder, pushed from it.
  const sends = new SendService({
    log,
    appVersion: options.version,
    dir: join(options.dataDir, 'sends'),
    destinations,
    profiles,
    http,
    token: async (profileId, scope, force) =>
      (await auth.getScopeToken(profileId, scope, force)).token,
    prepare: async (destination) => {
      if (destination.isDemo) {
        await demo.open()
      }
    },
    // The demo's emulator starts empty each time: its sends' journals are per emulator start.
    journalScope: (destination) => (destination.isDemo ? (demo.instance ?? '') : ''),
    onProgress: (progress) => bus.publish('sends:did-progress', progress)
  })
  const handlers = createHandlers({
    appInfo: {
      name: 'Connector Audit Explorer',
      version: options.version,
      shell: options.shell,
      platform: process.platform,
      electronVersion: options.electronVersion ?? null,
      nodeVersion: process.versions.node
    },
    settings,
    profiles,
    auth,
    demo,
    acquire,
    acquisitionLog,
    snapshots,
    reports,
    destinations,
    sends,
    http,
    now: () => new Date()
  })
  return {
    dispatch: createDispatcher(handlers, log),
    bus,
    settings,
    snapshots,
    openFromOs: async (path) => {
      const routed = await snapshots.openedFromOs(path)
      if (routed?.kind === 'snapshot') {
        bus.publish('snapshots:did-open', routed.opened)
      } else if (routed?.kind === 'audit-file') {
        bus.publish('imports:did-open', routed.offered)
      }
      return routed?.kind ?? null
    },
    close: async () => {
      acquire.cancelAll()
      await snapshots.cancelAll()
      await reports.cancelAll()
      await sends.cancelAll()
      await demo.close()
    }
  }
}
