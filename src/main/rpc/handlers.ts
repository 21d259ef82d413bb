/**
 * Maps every contract channel to the service that implements it. The `Handlers` type makes a
 * missing channel a compile error; both transports register this one map.
 */
import type { AppInfo, Handlers } from '../../shared/ipc/contract'
import type { AppAcquisitionLog } from '../services/acquisition-log/app-acquisition-log'
import type { AcquireService } from '../services/acquisition/acquire-service'
import type { AuthService } from '../services/auth/auth-service'
import { checkConnection } from '../services/auth/connection-check'
import type { DemoService } from '../services/demo/demo-service'
import type { DestinationsService } from '../services/destinations/destinations-service'
import type { SendService } from '../services/destinations/send/send-service'
import type { HttpsClient } from '../services/http/https-client'
import type { ProfilesService } from '../services/profiles/profiles-service'
import type { ReviewPackExports } from '../services/report/review-pack-exports'
import type { SettingsService } from '../services/app-data/settings-service'
import type { SnapshotsService } from '../services/snapshot/snapshots-service'

export interface HandlerServices {
  appInfo: AppInfo
  settings: SettingsService
  profiles: ProfilesService
  auth: AuthService
  demo: DemoService
  acquire: AcquireService
  acquisitionLog: AppAcquisitionLog
  snapshots: SnapshotsService
  reports: ReviewPackExports
  destinations: DestinationsService
  sends: SendService
  http: HttpsClient
  now: () => Date
}

/** Builds the handler map from the services. */
export function createHandlers(s: HandlerServices): Handlers {
  return {
    'app:get-info': async () => s.appInfo,
    'settings:get': () => s.settings.get(),
    'settings:update': (change) => s.settings.update(change),
    'profiles:list': () => s.profiles.list(),
    'profiles:save': (input) => s.profiles.save(input),
    'profiles:delete': async ({ profileId }) => {
      await s.auth.signOut(profileId).catch(() => undefined)
      return { deleted: await s.profiles.delete(profileId) }
    },
    'auth:list-states': () => s.auth.listStates(),
    'auth:sign-in': async ({ profileId, mode, loginHint }) => {
      // The demo tenant runs in-process: start it (after a restart) before signing in to it.
      const profile = await s.profiles.get(profileId)
      if (profile.isDemo) {
        await s.demo.openFor(profile)
      }
      return s.auth.signIn(profileId, {
        ...(mode ? { mode } : {}),
        ...(loginHint ? { loginHint } : {})
      })
    },
    'auth:cancel-sign-in': async ({ profileId }) => ({
      cancelled: await s.auth.cancelSignIn(profileId)
    }),
    'auth:sign-out': ({ profileId }) => s.auth.signOut(profileId),
    'auth:use-memory-storage': async () => {
      s.auth.useMemoryStorage()
      return { tokenStorage: s.auth.tokenStorage }
    },
    'auth:test-connection': async ({ profileId }) => {
      const profile = await s.profiles.get(profileId)
      if (profile.isDemo) {
        await s.demo.openFor(profile)
      }
      return checkConnection(profile, { auth: s.auth, http: s.http, now: s.now })
    },
    'demo:open': () => s.demo.open(),
    'acquire:start': async (input) => {
      const profile = await s.profiles.get(input.profileId)
      if (profile.isDemo) {
        await s.demo.openFor(profile)
      }
      return s.acquire.start({
        ...input,
        since: new Date(input.since),
        until: new Date(input.until)
      })
    },
    'acquire:ack-batch': async ({ jobId, batchId, outcome }) => ({
      accepted: s.acquire.ack(jobId, batchId, outcome)
    }),
    'acquire:cancel': async ({ jobId }) => ({ cancelled: s.acquire.cancel(jobId) }),
    'acquire:list-log': () => s.acquisitionLog.list(),
    'snapshots:export-begin': (input) => s.snapshots.exportBegin(input),
    'snapshots:export-append': ({ exportId, records }) =>
      s.snapshots.exportAppend(exportId, records),
    'snapshots:export-finish': ({ exportId }) => s.snapshots.exportFinish(exportId),
    'snapshots:export-cancel': async ({ exportId }) => ({
      cancelled: await s.snapshots.exportCancel(exportId)
    }),
    'snapshots:import': (input) => s.snapshots.import(input),
    'snapshots:offer-dropped-file': ({ path }) => s.snapshots.offerDroppedPath(path),
    'snapshots:ack-import-batch': async ({ importId, batchId, outcome }) => ({
      accepted: s.snapshots.ackImport(importId, batchId, outcome)
    }),
    'snapshots:cancel-import': async ({ importId }) => ({
      cancelled: s.snapshots.cancelImport(importId)
    }),
    'imports:start': (input) => s.snapshots.importAuditFile(input),
    'imports:offer-dropped-file': ({ path }) => s.snapshots.offerDroppedPath(path, 'audit-file'),
    'imports:ack-batch': async ({ importId, batchId, outcome }) => ({
      accepted: s.snapshots.ackAuditImport(importId, batchId, outcome)
    }),
    'imports:cancel': async ({ importId }) => ({
      cancelled: s.snapshots.cancelAuditImport(importId)
    }),
    'reports:begin': (input) => s.reports.begin(input),
    'reports:append': ({ packId, records }) => s.reports.append(packId, records),
    'reports:finish': ({ packId }) => s.reports.finish(packId),
    'reports:cancel': async ({ packId }) => ({ cancelled: await s.reports.cancel(packId) }),
    'destinations:list': () => s.destinations.list(),
    'destinations:save': (input) => s.destinations.save(input),
    'destinations:delete': async ({ destinationId }) => ({
      deleted: await s.destinations.delete(destinationId)
    }),
    'sends:begin': (input) => s.sends.begin(input),
    'sends:append': ({ sendId, records }) => s.sends.append(sendId, records),
    'sends:finish': ({ sendId }) => s.sends.finish(sendId),
    'sends:cancel': async ({ sendId }) => ({ cancelled: await s.sends.cancel(sendId) })
  }
}
